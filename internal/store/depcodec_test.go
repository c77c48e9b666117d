package store

import (
	"reflect"
	"testing"

	"github.com/cratewatch/cratewatch/index"
)

func TestDepCodecRoundTrip(t *testing.T) {
	cases := [][]index.Dep{
		nil,
		{{Name: "serde", Req: "^1", Features: []string{}, DefaultFeatures: true}},
		{
			{Name: "serde1", Package: "serde", Req: ">= 1.0, < 2", Features: []string{"derive", "rc"}, Optional: true, Kind: index.Normal},
			{Name: "winapi", Req: "0.3", Features: []string{""}, Target: "cfg(windows)", Kind: index.Build, DefaultFeatures: true},
			{Name: "x", Req: "*", Features: []string{"", ""}, Registry: "https://example.com/index", Kind: index.Dev},
		},
	}
	for _, deps := range cases {
		got, err := decodeDeps([]index.Dep{}, encodeDeps(deps), make(interner), true)
		if err != nil {
			t.Fatal(err)
		}
		want := deps
		if want == nil {
			want = []index.Dep{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
		lean, err := decodeDeps(nil, encodeDeps(deps), nil, false)
		if err != nil || len(lean) != len(deps) {
			t.Errorf("without features: %+v, %v", lean, err)
		}
	}
}

func FuzzDecodeDeps(f *testing.F) {
	f.Add(encodeDeps([]index.Dep{{Name: "a", Req: "1", Features: []string{"x"}}}))
	f.Add([]byte{1, 0, 200, 200, 200, 200, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		deps, err := decodeDeps(nil, b, make(interner), true)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, err := decodeDeps(nil, encodeDeps(deps), nil, true)
		if err != nil || !reflect.DeepEqual(normalize(again), normalize(deps)) {
			t.Fatalf("re-encoding changed %+v into %+v (%v)", deps, again, err)
		}
	})
}

func normalize(ds []index.Dep) []index.Dep {
	for i := range ds {
		if len(ds[i].Features) == 0 {
			ds[i].Features = nil
		}
	}
	return ds
}
