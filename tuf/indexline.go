package tuf

import (
	"fmt"
	"net/url"

	"github.com/cratewatch/cratewatch/index"
)

// findVersion returns the record of version vers in a verified index file, or with vers
// empty the highest version that is neither yanked nor a pre-release (what Cargo would pick
// for "*"). Malformed lines are skipped unless nothing matches, when the first is reported.
func findVersion(path string, data []byte, name, vers string) (*index.Record, error) {
	recs, errs := index.File{Path: path, Data: data}.Parse()
	var found *index.Record
	for i := range recs {
		r := &recs[i]
		switch {
		case vers != "":
			if r.Vers == vers {
				found = r
			}
		case !r.Yanked && !r.Version.IsPrerelease() && (found == nil || r.Version.Compare(found.Version) > 0):
			found = r
		}
	}
	if found != nil {
		return found, nil
	}
	what := fmt.Sprintf("%s has no version %q", name, vers)
	if vers == "" {
		what = fmt.Sprintf("%s has no unyanked release", name)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w: %s (%d malformed lines, first: %w)", path, ErrNotFound, what, len(errs), errs[0])
	}
	return nil, fmt.Errorf("%s: %w: %s", path, ErrNotFound, what)
}

// downloadURL expands config.json's dl for one version; only http(s) URLs are fetched.
func downloadURL(config []byte, name, vers, cksum string) (string, error) {
	c, err := index.ParseConfig(config)
	if err != nil {
		return "", err
	}
	out := c.DownloadURL(name, vers, cksum)
	u, err := url.Parse(out)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("config.json: dl %.100q does not expand to an http(s) URL", c.DL)
	}
	return out, nil
}
