package tuf

import (
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Handler serves the repository's metadata: the files in its directory by name and, for
// snapshot/<role>.proof.json, the proof of role in the current tree. Mount it under a prefix
// with http.StripPrefix, next to the index it signs.
func (r *Repository) Handler() http.Handler {
	return http.HandlerFunc(r.serve)
}

func (r *Repository) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(req.URL.Path, "/")
	if name == "timestamp.json" || strings.HasSuffix(name, ".proof.json") {
		// Another process may have published; serve the tree timestamp.json now signs. A
		// failed reload keeps serving the last consistent state.
		if err := r.Reload(); err != nil {
			slog.Warn("tuf: reload failed, serving the previous tree", "dir", r.dir, "err", err)
		}
	}
	if version, role, ok := proofPath(name); ok {
		data, err := r.ProofAt(version, role)
		if err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, ErrNotFound) {
				status = http.StatusNotFound
			}
			http.Error(w, err.Error(), status)
			return
		}
		writeJSON(w, req, data, "public, max-age=31536000, immutable")
		return
	}
	if !servableName(name) {
		http.NotFound(w, req)
		return
	}
	if name == "timestamp.json" {
		// From memory, so that it always matches the tree proofs are computed from.
		r.mu.RLock()
		data := r.timestamp
		r.mu.RUnlock()
		if data == nil {
			http.NotFound(w, req)
			return
		}
		writeJSON(w, req, data, "no-store")
		return
	}
	data, err := readBounded(filepath.Join(r.dir, filepath.FromSlash(name)), MaxDeltaBytes)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			http.NotFound(w, req)
		} else {
			http.Error(w, "read error", http.StatusInternalServerError)
		}
		return
	}
	cache := "public, max-age=31536000, immutable" // consistent-snapshot names never change
	if name == "root.json" {
		cache = "no-cache"
	}
	writeJSON(w, req, data, cache)
}

// proofPath parses snapshot/T/ROLE.proof.json.
func proofPath(name string) (int64, string, bool) {
	rest, ok := strings.CutPrefix(name, "snapshot/")
	if !ok {
		return 0, "", false
	}
	v, file, ok := strings.Cut(rest, "/")
	role, isProof := strings.CutSuffix(file, ".proof.json")
	if !ok || !isProof {
		return 0, "", false
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil || version < 1 {
		return 0, "", false
	}
	return version, role, true
}

// servableName admits only the metadata names the repository writes: no directories other
// than snapshot/, no dot segments, no temporary files.
func servableName(name string) bool {
	rest, _ := strings.CutPrefix(name, "snapshot/")
	if rest == "" || strings.HasPrefix(rest, ".") || !strings.HasSuffix(rest, ".json") {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return !strings.Contains(rest, "..")
}

func writeJSON(w http.ResponseWriter, req *http.Request, data []byte, cache string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cache)
	if req.Method == http.MethodHead {
		return
	}
	w.Write(data)
}
