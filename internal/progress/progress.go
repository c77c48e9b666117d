// Package progress draws a one-line progress report on a terminal and stays silent otherwise.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Bar reports progress of long work. The zero of Total means "unknown".
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int64
	done  int64
	start time.Time
	last  time.Time
	shown bool
}

// New returns a Bar writing to stderr when stderr is a terminal, or a silent one (nil) otherwise.
func New(label string, total int64) *Bar {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	return &Bar{w: os.Stderr, label: label, total: total, start: time.Now()}
}

// Add advances the bar by n. A nil Bar does nothing.
func (b *Bar) Add(n int64, detail string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	now := time.Now()
	if now.Sub(b.last) < 150*time.Millisecond {
		return
	}
	b.last = now
	b.draw(detail)
}

func (b *Bar) draw(detail string) {
	rate := float64(b.done) / max(time.Since(b.start).Seconds(), 1e-3)
	// Past the expected total (more files than last time) the bar shows a count only.
	if b.total > 0 && b.done <= b.total {
		pct := float64(b.done) * 100 / float64(b.total)
		const width = 30
		fill := min(int(pct*width/100), width)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < fill {
				bar[i] = '='
			}
		}
		fmt.Fprintf(b.w, "\r\033[K%s [%s] %5.1f%% %d/%d %.0f/s %s", b.label, bar, pct, b.done, b.total, rate, detail)
	} else {
		fmt.Fprintf(b.w, "\r\033[K%s %d %.0f/s %s", b.label, b.done, rate, detail)
	}
	b.shown = true
}

// SetTotal sets the expected count once it is known (0: unknown). A nil Bar does nothing.
func (b *Bar) SetTotal(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.total = n
	b.mu.Unlock()
}

// Done clears the line. A nil Bar does nothing.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
