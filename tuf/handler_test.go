package tuf

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestHandlerServesOnlyMetadata(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	must(t, os.WriteFile(filepath.Join(filepath.Dir(fx.dir), "secret.json"), []byte("{}"), 0o644))
	must(t, os.WriteFile(filepath.Join(fx.dir, "x.json.tmp"), []byte("{}"), 0o644))
	h := fx.repo.Handler()
	for path, want := range map[string]int{
		"/root.json":                      200,
		"/1.root.json":                    200,
		"/timestamp.json":                 200,
		"/1.targets.json":                 200,
		"/snapshot/1.delta.json":          200,
		"/snapshot/1/targets.proof.json":  200,
		"/snapshot/targets.proof.json":    404,
		"/snapshot/99/targets.proof.json": 404,
		"/snapshot/1/nope.proof.json":     404,
		"/snapshot/x/targets.proof.json":  404,
		"/../secret.json":                 404,
		"/snapshot/../../secret.json":     404,
		"/x.json.tmp":                     404,
		"/snapshot/":                      404,
		"/.hidden.json":                   404,
		"/2.targets.json":                 404,
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = path // bypass the client-side cleaning a real attacker would not do
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/root.json", nil))
	if rec.Code != 405 {
		t.Errorf("POST: %d", rec.Code)
	}
}

func BenchmarkProofFor(b *testing.B) {
	repo, _ := newBenchRepo(b, syntheticIndex(20000))
	names := repo.leaves
	i := 0
	for b.Loop() {
		if _, err := repo.ProofFor(names[i%len(names)].Name); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
