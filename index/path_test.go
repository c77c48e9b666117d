package index

import (
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct{ name, want string }{
		{"", ""},
		{"a", "1/a"},
		{"A", "1/a"},
		{"ab", "2/ab"},
		{"xY", "2/xy"},
		{"abc", "3/a/abc"},
		{"Abc", "3/a/abc"},
		{"cargo", "ca/rg/cargo"},
		{"serde", "se/rd/serde"},
		{"MyCrate", "my/cr/mycrate"},
		{"a-b_", "a-/b_/a-b_"},
		{"abcd", "ab/cd/abcd"},
	}
	for _, tt := range tests {
		if got := Path(tt.name); got != tt.want {
			t.Errorf("Path(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	valid := []string{"a", "Z", "_", "_private", "serde", "serde_json", "tokio-util", "A1", "x-1-_", strings.Repeat("a", MaxNameLen)}
	for _, n := range valid {
		if err := ValidName(n); err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", n, err)
		}
	}
	invalid := map[string]string{
		"":                                "empty",
		"1a":                              "must start with a letter",
		"-a":                              "must start with a letter",
		"a.b":                             `character '.'`,
		"a b":                             `character ' '`,
		"a/b":                             `character '/'`,
		"..":                              `character '.'`,
		"caf\u00e9":                       "not allowed",
		"a\x00":                           "not allowed",
		"a\n":                             "not allowed",
		strings.Repeat("a", MaxNameLen+1): "65 characters, more than 64",
		strings.Repeat("a", 1<<20):        "1048576 characters",
	}
	for n, msg := range invalid {
		err := ValidName(n)
		if err == nil {
			t.Errorf("ValidName(%.20q) accepted", n)
			continue
		}
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("ValidName(%.20q) = %q, want it to contain %q", n, err, msg)
		}
		if len(err.Error()) > 200 {
			t.Errorf("ValidName(%.20q): message of %d bytes echoes the input", n, len(err.Error()))
		}
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		in   string
		want Config
	}{
		{`{"dl":"https://crates.io/api/v1/crates","api":"https://crates.io"}`,
			Config{DL: "https://crates.io/api/v1/crates", API: "https://crates.io"}},
		{`{"dl":"https://static.crates.io/crates/{crate}/{crate}-{version}.crate","api":"https://crates.io","auth-required":true,"unknown":1}`,
			Config{DL: "https://static.crates.io/crates/{crate}/{crate}-{version}.crate", API: "https://crates.io", AuthRequired: true}},
		{`{"dl":"http://localhost:8080/{lowerprefix}/{crate}"}`, Config{DL: "http://localhost:8080/{lowerprefix}/{crate}"}},
		{`{"dl":"file:///srv/crates"}`, Config{DL: "file:///srv/crates"}},
	}
	for _, tt := range tests {
		c, err := ParseConfig([]byte(tt.in))
		if err != nil {
			t.Errorf("ParseConfig(%s): %v", tt.in, err)
			continue
		}
		if *c != tt.want {
			t.Errorf("ParseConfig(%s) = %+v, want %+v", tt.in, *c, tt.want)
		}
	}

	bad := map[string]string{
		``:                                     "config.json",
		`[]`:                                   "config.json",
		`{}`:                                   `"dl" is missing`,
		`{"dl":""}`:                            `"dl" is missing`,
		`{"dl":5}`:                             "config.json",
		`{"dl":"ftp://example.com"}`:           `"dl": "ftp://example.com" is not`,
		`{"dl":"javascript:alert(1)"}`:         "not an http(s) or file URL",
		`{"dl":"crates"}`:                      "not an http(s) or file URL",
		`{"dl":"https://a","auth-required":1}`: "config.json",
		`{"dl":"https://a"`:                    "config.json",
		`{"dl":"https://a/` + strings.Repeat("x", maxConfigBytes) + `"}`: "more than the limit",
	}
	for in, msg := range bad {
		c, err := ParseConfig([]byte(in))
		if err == nil {
			t.Errorf("ParseConfig(%.40s) = %+v, want an error", in, c)
			continue
		}
		if !strings.HasPrefix(err.Error(), "config.json") || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseConfig(%.40s) = %q, want it to name config.json and contain %q", in, err, msg)
		}
	}
}

// TestDownloadURL follows Cargo's registry-index documentation: {prefix} keeps the name's
// case ("MyCrate" -> "My/Cr"), {lowerprefix} lowercases it ("my/cr"), and a template with no
// marker gets "/{crate}/{version}/download" appended.
func TestDownloadURL(t *testing.T) {
	const sum = "d867001db0e2b6e0496f9fac96930e2d42233ecd3ca0413e0753d4c7695d289c"
	tests := []struct {
		dl, name, vers, want string
	}{
		{"https://crates.io/api/v1/crates", "serde", "1.0.0", "https://crates.io/api/v1/crates/serde/1.0.0/download"},
		// Cargo appends without trimming (giving "crates//serde"); cratewatch trims the slash.
		{"https://crates.io/api/v1/crates/", "serde", "1.0.0", "https://crates.io/api/v1/crates/serde/1.0.0/download"},
		{"https://crates.io/api/v1/crates", "MyCrate", "0.1.0-rc.1+b", "https://crates.io/api/v1/crates/MyCrate/0.1.0-rc.1+b/download"},
		{"https://static.crates.io/crates/{crate}/{crate}-{version}.crate", "Serde", "1.0.0", "https://static.crates.io/crates/Serde/Serde-1.0.0.crate"},
		{"https://r.example/{prefix}/{crate}", "MyCrate", "1.0.0", "https://r.example/My/Cr/MyCrate"},
		{"https://r.example/{lowerprefix}/{crate}", "MyCrate", "1.0.0", "https://r.example/my/cr/MyCrate"},
		{"https://r.example/{prefix}|{lowerprefix}", "cargo", "1.0.0", "https://r.example/ca/rg|ca/rg"},
		{"https://r.example/{prefix}|{lowerprefix}", "Abc", "1.0.0", "https://r.example/3/A|3/a"},
		{"https://r.example/{prefix}|{lowerprefix}", "Ab", "1.0.0", "https://r.example/2|2"},
		{"https://r.example/{prefix}|{lowerprefix}", "A", "1.0.0", "https://r.example/1|1"},
		{"https://r.example/{prefix}|{lowerprefix}", "ABCD", "1.0.0", "https://r.example/AB/CD|ab/cd"},
		{"https://r.example/{sha256-checksum}", "serde", "1.0.0", "https://r.example/" + sum},
		{"https://r.example/{version}", "serde", "2.0.0", "https://r.example/2.0.0"},
		{"https://r.example/{crate}/{crate}", "a", "1.0.0", "https://r.example/a/a"},
		{"https://r.example/x?c={crate}&v={version}&s={sha256-checksum}", "Foo", "1.0.0", "https://r.example/x?c=Foo&v=1.0.0&s=" + sum},
		{"file:///srv/{lowerprefix}/{crate}-{version}.crate", "Foo_Bar", "0.0.1", "file:///srv/fo/o_/Foo_Bar-0.0.1.crate"},
	}
	for _, tt := range tests {
		c := &Config{DL: tt.dl}
		if got := c.DownloadURL(tt.name, tt.vers, sum); got != tt.want {
			t.Errorf("DownloadURL(%q, %s, %s) = %q, want %q", tt.dl, tt.name, tt.vers, got, tt.want)
		}
	}
}

// TestDownloadURLOddNames checks that names the index would reject still give a URL rather
// than a panic: the method is public and callers may pass anything.
func TestDownloadURLOddNames(t *testing.T) {
	c := &Config{DL: "https://r.example/{prefix}/{lowerprefix}/{crate}"}
	for _, name := range []string{"", "\u212a", "\u0130x", "ÄÄ", "é"} {
		_ = c.DownloadURL(name, "1.0.0", "")
	}
	if got := c.DownloadURL("", "1.0.0", ""); got != "https://r.example///" {
		t.Errorf("DownloadURL of the empty name = %q", got)
	}
}
