package http

import (
	"reflect"
	"strings"

	"github.com/weirhq/weir"
)

// UseServices sets every unset field of s whose type is one of weir's
// service interfaces (weir.DeviceService, weir.FlowService, …) that store
// implements, so that an in-process server over a store serves every
// resource the store keeps, those it gains later included. Other fields
// (queues, limiters, caches, the signer) are left to the caller.
func (s *Server) UseServices(store any) {
	v := reflect.ValueOf(s).Elem()
	sv := reflect.ValueOf(store)
	pkg := reflect.TypeFor[weir.FlowService]().PkgPath()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		t := f.Type
		if !f.IsExported() || t.Kind() != reflect.Interface || t.PkgPath() != pkg || !strings.HasSuffix(t.Name(), "Service") {
			continue
		}
		if sv.Type().Implements(t) && v.Field(i).IsNil() {
			v.Field(i).Set(sv)
		}
	}
}
