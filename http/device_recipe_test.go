package http_test

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestDeviceRecipesOverSQLite(t *testing.T) {
	h, ev, app, user := newDeviceHarness(t)
	base := "/applications/" + app
	must := h.mustAs(t, user)
	rc := must("POST", base+"/device-recipes", `{"name":"Sensor recipe","description":"r","deviceName":"Sensor",
		"deviceDescription":"made from a recipe","deviceClass":"standalone","tags":[{"key":"kind","value":"sensor"}],
		"attributes":[{"name":"temp","dataType":"number","attributeTags":{"unit":"C"},"system":{"aggregation":"MEAN"}}]}`, 201, "deviceRecipe")
	id := rc["id"].(string)
	if rc["deviceRecipeId"] != id || rc["_type"] != "deviceRecipe" {
		t.Errorf("new recipe = %v, want deviceRecipeId and _type", rc)
	}
	rp := base + "/device-recipes/" + id

	t.Run("GetListPatch", func(t *testing.T) {
		got := must("GET", rp, nil, 200, "deviceRecipe")
		attr := got["attributes"].([]any)[0].(map[string]any)
		if attr["attributeTags"].(map[string]any)["unit"] != "C" || attr["system"].(map[string]any)["aggregation"] != "MEAN" {
			t.Errorf("attribute = %v, want its attribute tags and system settings kept", attr)
		}
		list := must("GET", base+"/device-recipes?filter=sens*", nil, 200, "deviceRecipes")
		if list["count"].(float64) != 1 || list["totalCount"].(float64) != 1 {
			t.Errorf("list = %v, want the one recipe", list)
		}
		got = must("PATCH", rp, `{"name":"Renamed","parentId":null}`, 200, "deviceRecipe")
		if got["name"] != "Renamed" || got["deviceName"] != "Sensor" {
			t.Errorf("patched = %v, want the name changed and the rest kept", got)
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		must("POST", base+"/device-recipes", `{"deviceName":"x"}`, 400, "error")
		must("POST", base+"/device-recipes", `{"name":"x","attributes":[{"name":"a","dataType":"number"},{"name":"a","dataType":"string"}]}`, 400, "error")
		must("PATCH", rp, `{"deviceClass":"teapot"}`, 400, "error")
		must("GET", base+"/device-recipes/5a1b2c3d4e5f60718293a4b5", nil, 404, "error")
		must("POST", rp+"/bulkCreate", `{"csv":"serial\nA1\n","nameColumn":"name"}`, 400, "error")
		must("POST", rp+"/bulkCreate", `{"csv":"serial\n"}`, 400, "error")
		must("POST", rp+"/bulkCreate", `{"csv":"a,a\n1,2\n"}`, 400, "error")
		list := must("GET", base+"/devices", nil, 200, "")
		if list["totalCount"].(float64) != 0 {
			t.Errorf("refused bulk creations made %v devices", list["totalCount"])
		}
	})
	t.Run("BulkCreateOK", func(t *testing.T) {
		res := must("POST", rp+"/bulkCreate", `{"csv":"name,serial,notes\nPump 1,S-1,first\nPump 2,,second\n,S-3,no name\n",
			"nameColumn":"name","descriptionColumn":"notes","makeUniqueKeySecret":true}`, 201, "deviceRecipeBulkCreate")
		if res["created"].(float64) != 2 || res["failed"].(float64) != 1 {
			t.Fatalf("bulkCreate = %v, want 2 created and 1 failed", res)
		}
		rows, err := csv.NewReader(strings.NewReader(res["csvResult"].(string))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "name,serial,notes,id,accessKey,accessSecret,error" || len(rows) != 4 {
			t.Fatalf("csvResult = %q", rows)
		}
		if rows[3][3] != "" || rows[3][6] == "" {
			t.Errorf("the row without a name = %q, want no id and an error", rows[3])
		}
		dev := must("GET", base+"/devices/"+rows[1][3], nil, 200, "device")
		tags := dev["tags"].([]any)
		if dev["name"] != "Pump 1" || dev["description"] != "first" || len(tags) != 2 ||
			len(dev["attributes"].([]any)) != 1 {
			t.Errorf("bulk created device = %v, want Pump 1 with the recipe's attribute and tags kind and serial", dev)
		}
		status, b := h.do("POST", "/auth/device", "", map[string]string{"deviceId": rows[1][3], "key": rows[1][4], "secret": rows[1][5]})
		if status != 200 {
			t.Errorf("the device's own key and secret authenticate = %d %s, want 200", status, b)
		}
		status, _ = h.do("POST", "/auth/device", "", map[string]string{"deviceId": rows[2][3], "key": rows[1][4], "secret": rows[1][5]})
		if status != 401 {
			t.Errorf("one device's key for another = %d, want 401", status)
		}
		if len(ev.created) != 0 {
			t.Errorf("device creation triggers heard %v; Losant's deviceCreate ignores bulk creations", ev.created)
		}
	})
	t.Run("DeleteOK", func(t *testing.T) {
		must("DELETE", rp, nil, 200, "success")
		must("GET", rp, nil, 404, "error")
		list := must("GET", base+"/devices", nil, 200, "")
		if list["totalCount"].(float64) != 2 {
			t.Errorf("devices after deleting their recipe = %v, want the 2 kept", list["totalCount"])
		}
	})
}
