package nodes_test

import (
	"encoding/json"
	"testing"

	"github.com/weirhq/weir/engine"
)

func TestUpdateExperienceGroup_MemberBuildErrors(t *testing.T) {
	_, build, _ := engine.Lookup("UpdateExperienceGroupNode")
	for _, tc := range []struct {
		name string
		cfg  string
	}{
		{"ErrReplacementWithAdd", `{"groupIdTemplate":"g","membersReplacement":["a@example.com"],"membersToAdd":["b@example.com"]}`},
		{"ErrReplacementWithRemove", `{"groupIdTemplate":"g","membersReplacement":[],"membersToRemove":["b@example.com"]}`},
		{"ErrNotAnArray", `{"groupIdTemplate":"g","membersToAdd":"a@example.com"}`},
		{"ErrEntryNotText", `{"groupIdTemplate":"g","membersToRemove":[{"id":"x"}]}`},
		{"ErrBadTemplate", `{"groupIdTemplate":"g","membersToAdd":["{{#if}}"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(&engine.NodeConfig{ID: "n", Type: "UpdateExperienceGroupNode", Config: json.RawMessage(tc.cfg)})
			if errorName(err) != "Validation" {
				t.Errorf("build(%s) error = %v, want Validation", tc.cfg, err)
			}
		})
	}
	for _, cfg := range []string{
		`{"groupIdTemplate":"g","membersToAdd":["a@example.com"],"membersToRemove":["b@example.com"]}`,
		`{"groupIdTemplate":"g","membersReplacement":[],"membersToAdd":[],"membersToRemove":null}`,
	} {
		if _, err := build(&engine.NodeConfig{ID: "n", Type: "UpdateExperienceGroupNode", Config: json.RawMessage(cfg)}); err != nil {
			t.Errorf("build(%s) error = %v", cfg, err)
		}
	}
}
