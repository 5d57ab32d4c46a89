package template

import (
	"strings"

	"github.com/weirhq/weir/engine/js"
)

func init() {
	register(map[string]func(a args) (any, error){
		"obj": func(a args) (any, error) {
			m := make(map[string]any, len(a.hash))
			for _, h := range a.hash {
				m[h.key] = h.val
			}
			return m, nil
		},
		"array": func(a args) (any, error) {
			return append([]any{}, a.params...), nil
		},
		"merge":      helperMerge,
		"lookup":     helperLookup,
		"last":       helperLast,
		"indexByKey": helperIndexByKey,
		"valueByKey": helperValueByKey,
	})
}

// helperLookup is Handlebars' lookup: the property of an object named by a
// key; a falsy object (0, false, "", NaN, null, undefined) is returned as it
// is, as handlebars.js does.
func helperLookup(a args) (any, error) {
	obj := a.at(0)
	if !js.ToBoolean(obj) {
		return obj, nil
	}
	return property(obj, propertyKey(a.at(1))), nil
}

// propertyKey is the property name JavaScript derives from a key value.
func propertyKey(k any) string {
	if f, ok := k.(float64); ok && f == 0 {
		return "0" // -0 names property "0"
	}
	return js.ToString(k)
}

// helperMerge is a shallow merge of objects into a new object; later
// arguments win and non-objects are skipped.
func helperMerge(a args) (any, error) {
	out := map[string]any{}
	for _, v := range a.params {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				out[k] = x
			}
		}
	}
	return out, nil
}

// helperLast is the last element of an array or last character of a
// string; anything else is undefined.
func helperLast(a args) (any, error) {
	switch v := a.at(0).(type) {
	case []any:
		if len(v) > 0 {
			return v[len(v)-1], nil
		}
	case string:
		if n := jsLength(v); n > 0 {
			return charAt(v, n-1), nil
		}
	}
	return undefined, nil
}

// helperIndexByKey is the index of the first array element whose keyPath
// (a dotted path, default "key") strictly equals keyValue, else -1.
func helperIndexByKey(a args) (any, error) {
	arr, _ := a.at(0).([]any)
	path := keyArg(a, 2, "key")
	for i, e := range arr {
		if js.StrictEqual(dotted(e, path), a.at(1)) {
			return float64(i), nil
		}
	}
	return float64(-1), nil
}

// helperValueByKey is the valueField (default "value") of the first array
// element whose keyField (default "key") strictly equals keyValue, else
// undefined.
func helperValueByKey(a args) (any, error) {
	arr, _ := a.at(0).([]any)
	keyField, valueField := keyArg(a, 2, "key"), keyArg(a, 3, "value")
	for _, e := range arr {
		if js.StrictEqual(dotted(e, keyField), a.at(1)) {
			return dotted(e, valueField), nil
		}
	}
	return undefined, nil
}

// keyArg returns positional argument i as a property path, or def.
func keyArg(a args, i int, def string) string {
	switch v := a.at(i).(type) {
	case nil, js.Undefined:
		return def
	case string:
		if v == "" {
			return def
		}
		return v
	}
	return propertyKey(a.at(i))
}

// dotted reads a dotted property path such as "meta.id" from v.
func dotted(v any, path string) any {
	for part := range strings.SplitSeq(path, ".") {
		v = property(v, part)
	}
	return v
}
