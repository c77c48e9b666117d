package tuf

import (
	"context"
	"errors"
	"testing"
)

func TestVerifyHonestRepository(t *testing.T) {
	for _, kt := range []string{KeyEd25519, KeyECDSAP256} {
		t.Run(kt, func(t *testing.T) {
			fx := newFixture(t, kt, 1, 1)
			c := fx.client(nil)
			res, err := c.Verify(context.Background(), "serde", "1.0.0", true)
			must(t, err)
			if res.Version != "1.0.0" || res.CrateBytes != int64(len(crateBytes("serde", "1.0.0"))) {
				t.Fatalf("verified %+v", res)
			}
			res, err = c.Verify(context.Background(), "serde", "", true)
			must(t, err)
			if res.Version != "1.0.1" {
				t.Fatalf("newest serde = %s, want 1.0.1", res.Version)
			}
			for _, name := range []string{"a", "ab", "abc", "rand"} {
				if _, err := c.Verify(context.Background(), name, "", true); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			_, err = c.Verify(context.Background(), "nonexistent", "", false)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("unknown crate: %v", err)
			}
		})
	}
}
