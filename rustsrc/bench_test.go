package rustsrc

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// corpusDir is the Debian crate corpus fetched by shared/scripts/debian-crates.sh.
func corpusDir() string {
	if d := os.Getenv("CRATEWATCH_DEBIAN_CORPUS"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "cratewatch", "debian-crates", "registry")
}

// loadCorpus reads up to maxBytes of .rs files from the corpus (CRATEWATCH_BENCH_MB overrides the
// amount; 0 there means all of it), or generated code when the corpus is absent.
func loadCorpus(tb testing.TB, maxBytes int) [][]byte {
	if v := os.Getenv("CRATEWATCH_BENCH_MB"); v != "" {
		if mb, err := strconv.Atoi(v); err == nil {
			maxBytes = mb << 20
			if mb == 0 {
				maxBytes = math.MaxInt
			}
		}
	}
	var files [][]byte
	total := 0
	root := corpusDir()
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || total >= maxBytes {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".rs") {
			b, err := os.ReadFile(path)
			if err == nil {
				files = append(files, b)
				total += len(b)
			}
		}
		return nil
	})
	if len(files) == 0 {
		tb.Logf("corpus %s absent: benchmarking generated code", root)
		files = [][]byte{generated(8 << 20)}
	}
	return files
}

// generated returns about n bytes of varied Rust.
func generated(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(sampleUnit)
	}
	return []byte(b.String())
}

const sampleUnit = `
/// A documented struct.
#[derive(Debug, Clone)]
pub struct Point<T> { x: T, y: T }

impl<T: Copy + std::ops::Add<Output = T>> Point<T> {
    pub fn new(x: T, y: T) -> Self { Point { x, y } }
    pub fn sum(&self) -> T { self.x + self.y }
}

impl fmt::Display for Point<i32> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

fn compute(v: &[u8]) -> Result<u64, Error> {
    let mut total: u64 = 0;
    let map = HashMap::new();
    for (i, b) in v.iter().enumerate() {
        total = total.wrapping_add(u64::from(*b) * i as u64);
        if total > 0x1000_0000 { return Err(Error::Overflow(r#"too "big""#.to_string())); }
    }
    let s = String::from_utf8_lossy(b"bytes\x00");
    unsafe { libc::write(1, s.as_ptr() as *const _, s.len()) };
    Ok(<u64 as From<u32>>::from(1) + total + map.len() as u64 + 1.5e3 as u64)
}
`

// cpuSeconds is the process's user+system CPU time: on a shared, loaded machine wall-clock MB/s
// understates the work per core, so the benchmarks also report MB per CPU-second (GC included).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func benchParse(b *testing.B, files [][]byte) {
	total := 0
	for _, f := range files {
		total += len(f)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	c0 := cpuSeconds()
	for b.Loop() {
		for _, src := range files {
			Parse(NewFile("x.rs", src), nil)
		}
	}
	if cpu := cpuSeconds() - c0; cpu > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/1e6/cpu, "MB/cpu-s")
	}
}

// BenchmarkParseCorpus measures lexer + parser throughput over (up to 64 MB of) the corpus.
func BenchmarkParseCorpus(b *testing.B) {
	benchParse(b, loadCorpus(b, 64<<20))
}

// BenchmarkScanCorpus measures the lexer alone.
func BenchmarkScanCorpus(b *testing.B) {
	files := loadCorpus(b, 64<<20)
	total := 0
	for _, f := range files {
		total += len(f)
	}
	b.SetBytes(int64(total))
	var buf []Token
	c0 := cpuSeconds()
	for b.Loop() {
		for _, src := range files {
			buf, _, _ = Tokenize(src, buf[:0], 0)
		}
	}
	if cpu := cpuSeconds() - c0; cpu > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/1e6/cpu, "MB/cpu-s")
	}
}

// BenchmarkParseGenerated measures the parser over generated code, independent of the corpus.
func BenchmarkParseGenerated(b *testing.B) {
	benchParse(b, [][]byte{generated(4 << 20)})
}

// BenchmarkParseAdversarial parses 100 MB of hostile input in one file (see adversarial): run it
// with -benchtime=1x and -benchmem to see time and memory stay bounded.
func BenchmarkParseAdversarial(b *testing.B) {
	src := adversarial(100 << 20)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		pf := Parse(NewFile("hostile.rs", src), nil)
		b.ReportMetric(float64(len(pf.Skipped)), "skips")
	}
}

// BenchmarkCrateFacts measures module resolution and facts over a generated 40-file crate.
func BenchmarkCrateFacts(b *testing.B) {
	files := map[string]string{"build.rs": "fn main() { cc::Build::new().compile(\"x\"); }"}
	var lib strings.Builder
	for i := range 40 {
		fmt.Fprintf(&lib, "pub mod m%d;\n", i)
		files[fmt.Sprintf("src/m%d.rs", i)] = sampleUnit + "extern \"C\" { fn ext(x: i32) -> i32; }\n"
	}
	files["src/lib.rs"] = lib.String()
	fsys := mapFS(files)
	total := 0
	for _, v := range files {
		total += len(v)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		c, err := LoadCrate(CrateInput{Name: "gen", FS: fsys, Roots: DefaultRoots(fsys)}, DefaultCrateLimits())
		if err != nil {
			b.Fatal(err)
		}
		if fa := c.Facts(); fa.FFI.ExternFns != 40 {
			b.Fatalf("extern fns %d", fa.FFI.ExternFns)
		}
	}
}
