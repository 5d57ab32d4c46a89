package weir_test

import (
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

func TestCheckJSONNumbers(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: "" when the text passes, else the error message
	}{
		{`{"a":1,"b":[-2.5e10,1e308,-1.7976931348623157e308,1e-400,0.` + strings.Repeat("1", 400) + `]}`, ""},
		{`{"s":"1e400 in a string","t":"\"quoted\" \\ 1e999"}`, ""},
		{`{"n":1e400}`, "x holds the number 1e400, out of range: numbers are 64-bit floats, at most ±1.7976931348623157e308"},
		{`[-1E+309]`, "x holds the number -1E+309, out of range: numbers are 64-bit floats, at most ±1.7976931348623157e308"},
		{`{"k":"\"","n":` + strings.Repeat("9", 400) + `}`,
			"x holds the number " + strings.Repeat("9", 24) + "… (400 characters), out of range: numbers are 64-bit floats, at most ±1.7976931348623157e308"},
	} {
		err := weir.CheckJSONNumbers([]byte(tc.in), "x")
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckJSONNumbers(%.40s…) = %v, want nil", tc.in, err)
			}
			continue
		}
		if weir.ErrorTypeOf(err) != weir.Validation || weir.ErrorMessage(err) != tc.want {
			t.Errorf("CheckJSONNumbers(%.40s…) = %v, want Validation %q", tc.in, err, tc.want)
		}
	}
	if err := weir.ValidateStorageEntry("k", []byte(`{"n":1e400}`)); weir.ErrorTypeOf(err) != weir.Validation {
		t.Errorf("ValidateStorageEntry of 1e400 = %v, want Validation", err)
	}
}
