package tuf

import (
	"context"
	"errors"
	"fmt"
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

func TestVerifyWhilePublishing(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 15 {
			if _, err := fx.repo.Update(context.Background(), []IndexFile{fx.publish("rand", fmt.Sprintf("0.9.%d", i), false)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	c := fx.client(nil)
	for range 15 {
		if _, err := c.Verify(context.Background(), "serde", "1.0.0", true); err != nil {
			t.Fatalf("verification during publishing: %v", err)
		}
	}
	<-done
}
