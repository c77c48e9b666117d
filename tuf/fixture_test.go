package tuf

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cratewatch/cratewatch/index"
)

// fixture is a registry on 127.0.0.1: an index directory, .crate downloads, and the TUF
// repository's Handler, with a hook through which tests play the malicious mirror.
type fixture struct {
	t        *testing.T
	dir      string // TUF repository
	indexDir string
	keysDir  string
	rootKeys []*Signer
	targetsK *Signer
	tsK      *Signer
	repo     *Repository
	srv      *httptest.Server
	now      time.Time
	mu       sync.Mutex
	crates   map[string][]byte // "name/vers" -> .crate
	override map[string][]byte // URL path -> body served instead
	stall    map[string]bool   // URL path -> never-ending response
	rootJSON []byte
}

func crateBytes(name, vers string) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("crate %s %s;", name, vers), 20))
}

func indexLineFor(name, vers string, yanked bool, crate []byte) string {
	sum := sha256.Sum256(crate)
	return fmt.Sprintf(`{"name":%q,"vers":%q,"deps":[],"cksum":%q,"features":{},"yanked":%t}`, name, vers, hex.EncodeToString(sum[:]), yanked)
}

func newFixture(t *testing.T, keyType string, rootKeys, threshold int) *fixture {
	t.Helper()
	base := t.TempDir()
	fx := &fixture{t: t, dir: filepath.Join(base, "repo"), indexDir: filepath.Join(base, "index"), keysDir: base,
		now: time.Now(), crates: map[string][]byte{}, override: map[string][]byte{}, stall: map[string]bool{}}
	fx.srv = httptest.NewServer(http.HandlerFunc(fx.serve))
	t.Cleanup(fx.srv.Close)
	must(t, os.MkdirAll(fx.indexDir, 0o755))
	must(t, os.WriteFile(filepath.Join(fx.indexDir, "config.json"), fmt.Appendf(nil, `{"dl":"%s/dl","api":"%s"}`, fx.srv.URL, fx.srv.URL), 0o644))
	fx.publish("serde", "1.0.0", false)
	fx.publish("serde", "1.0.1", false)
	fx.publish("rand", "0.8.5", false)
	fx.publish("a", "0.1.0", false)
	fx.publish("ab", "0.1.0", false)
	fx.publish("abc", "0.1.0", false)
	for i := range 60 {
		fx.publish(fmt.Sprintf("filler-%02d", i), "1.0.0", false)
	}
	for range rootKeys {
		fx.rootKeys = append(fx.rootKeys, mustKey(t, keyType))
	}
	fx.targetsK, fx.tsK = mustKey(t, keyType), mustKey(t, keyType)
	must(t, Init(fx.dir, InitOptions{RootKeys: fx.rootKeys, RootThreshold: threshold, TargetsKey: fx.targetsK, TimestampKey: fx.tsK, Now: fx.clock}))
	repo, err := Open(fx.dir, Options{TargetsKey: fx.targetsK, TimestampKey: fx.tsK, Now: fx.clock})
	must(t, err)
	files, err := ReadIndex(context.Background(), os.DirFS(fx.indexDir))
	must(t, err)
	_, err = repo.Build(context.Background(), files, 3)
	must(t, err)
	fx.repo = repo
	fx.rootJSON, err = os.ReadFile(filepath.Join(fx.dir, "1.root.json"))
	must(t, err)
	return fx
}

func (fx *fixture) clock() time.Time { return fx.now }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustKey(t testing.TB, keyType string) *Signer {
	t.Helper()
	k, err := GenerateKey(keyType)
	must(t, err)
	return k
}

// publish appends a version to the crate's index file (and makes its .crate downloadable);
// it does not sign, see sign.
func (fx *fixture) publish(name, vers string, yanked bool) IndexFile {
	fx.mu.Lock()
	crate := crateBytes(name, vers)
	fx.crates[name+"/"+vers] = crate
	fx.mu.Unlock()
	p := filepath.Join(fx.indexDir, filepath.FromSlash(index.Path(name)))
	must(fx.t, os.MkdirAll(filepath.Dir(p), 0o755))
	old, _ := os.ReadFile(p)
	data := append(old, indexLineFor(name, vers, yanked, crate)+"\n"...)
	must(fx.t, os.WriteFile(p, data, 0o644))
	return IndexFile{Path: index.Path(name), Data: data}
}

func (fx *fixture) sign(files ...IndexFile) *UpdateStats {
	st, err := fx.repo.Update(context.Background(), files)
	must(fx.t, err)
	return st
}

func (fx *fixture) serve(w http.ResponseWriter, r *http.Request) {
	fx.mu.Lock()
	body, ok := fx.override[r.URL.Path]
	stall := fx.stall[r.URL.Path]
	fx.mu.Unlock()
	if ok {
		w.Write(body)
		return
	}
	if stall {
		// Endless data, slowly: a chunk at a time until the client gives up.
		chunk := make([]byte, 4096)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
		return
	}
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/tuf/"):
		http.StripPrefix("/tuf", fx.repo.Handler()).ServeHTTP(w, r)
	case strings.HasPrefix(p, "/index/"):
		http.StripPrefix("/index", http.FileServer(http.Dir(fx.indexDir))).ServeHTTP(w, r)
	case strings.HasPrefix(p, "/dl/"):
		parts := strings.Split(strings.TrimPrefix(p, "/dl/"), "/")
		fx.mu.Lock()
		crate, ok := fx.crates[parts[0]+"/"+parts[1]]
		fx.mu.Unlock()
		if len(parts) != 3 || !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(crate)
	default:
		http.NotFound(w, r)
	}
}

// attack makes the mirror serve body at path.
func (fx *fixture) attack(path string, body []byte) {
	fx.mu.Lock()
	fx.override[path] = body
	fx.mu.Unlock()
}

func (fx *fixture) heal() {
	fx.mu.Lock()
	fx.override = map[string][]byte{}
	fx.stall = map[string]bool{}
	fx.mu.Unlock()
}

// fetchServed returns what the honest repository serves now at a /tuf/ path.
func (fx *fixture) fetchServed(path string) []byte {
	rec := httptest.NewRecorder()
	http.StripPrefix("/tuf", fx.repo.Handler()).ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		fx.t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func (fx *fixture) client(state *ClientState) *Client {
	if state == nil {
		var err error
		state, err = NewClientState(fx.rootJSON)
		must(fx.t, err)
	}
	return &Client{MetadataURL: fx.srv.URL + "/tuf/", IndexURL: fx.srv.URL + "/index/", RequestTimeout: 5 * time.Second,
		MaxCrateBytes: 1 << 20, Now: fx.clock, State: state}
}
