package weir_test

import (
	"testing"

	"github.com/weirhq/weir"
)

func TestApplicationKeyAllowsTopic(t *testing.T) {
	lists := weir.ApplicationKey{PubTopics: []string{"plant/+/out"}, SubTopics: []string{"plant/#"}}
	tests := []struct {
		filterType, topic string
		publish, want     bool
	}{
		{"none", "anything", true, true},
		{"all", "anything", false, true},
		{"", "anything", true, true},
		{"whitelist", "plant/l1/out", true, true},
		{"whitelist", "plant/l1/in", true, false},
		{"whitelist", "plant/l1/in", false, true},
		{"whitelist", "office/x", false, false},
		{"blacklist", "plant/l1/out", true, false},
		{"blacklist", "plant/l1/in", true, true},
		{"blacklist", "plant", false, false}, // "#" matches its parent level
		{"blacklist", "office/x", false, true},
	}
	for _, tc := range tests {
		k := lists
		k.FilterType = tc.filterType
		if got := k.AllowsTopic(tc.topic, tc.publish); got != tc.want {
			t.Errorf("%s AllowsTopic(%q, publish %v) = %v, want %v", tc.filterType, tc.topic, tc.publish, got, tc.want)
		}
	}
}

func TestApplicationKeyTopicFiltersValidated(t *testing.T) {
	for _, f := range []string{"", "a/#/b", "a+/b", string(make([]byte, 1025))} {
		k := weir.ApplicationKey{Key: "k", SecretHash: "h", Status: weir.KeyActive, SubTopics: []string{f}}
		if err := k.Validate(); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("subTopics [%.10q]: err %v, want Validation", f, err)
		}
	}
	k := weir.ApplicationKey{Key: "k", SecretHash: "h", Status: weir.KeyActive, PubTopics: []string{"plant/+/out", "#"}}
	if err := k.Validate(); err != nil {
		t.Errorf("valid filters refused: %v", err)
	}
}
