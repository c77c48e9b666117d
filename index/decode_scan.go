package index

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON scanning under the decoder: white space, strings, numbers, literals, and skipping a
// whole value of any type. Error messages follow encoding/json's, with the offset.

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// valueStart moves to the start of a value, which must be there.
func (d *decoder) valueStart() error {
	d.ws()
	if d.i >= len(d.b) {
		return d.syntax("")
	}
	return nil
}

// end checks that only white space follows the line's value.
func (d *decoder) end() error {
	d.ws()
	if d.i < len(d.b) {
		return d.syntax("after top-level value")
	}
	return nil
}

// syntax reports malformed JSON at d.i; context says what was expected there.
func (d *decoder) syntax(context string) error {
	if d.i >= len(d.b) {
		return errors.New("not a valid index line: unexpected end of JSON input")
	}
	c := d.b[d.i]
	ch := fmt.Sprintf("byte 0x%02x", c)
	if c >= ' ' && c < 0x7f {
		ch = fmt.Sprintf("%q", rune(c))
	}
	return fmt.Errorf("not a valid index line: invalid character %s %s at offset %d", ch, context, d.i)
}

// enter moves into the object or array that starts at d.i.
func (d *decoder) enter() error {
	if d.depth >= maxDepth {
		return fmt.Errorf("not a valid index line: nested more than %d deep at offset %d", maxDepth, d.i)
	}
	d.depth++
	d.i++
	return nil
}

// nextKey moves to the next member of the object being read and returns its key, with d.i at
// its value; more is false, past the '}', at the end of the object. The key may be scratch
// that the next string read overwrites.
func (d *decoder) nextKey(first bool) (key []byte, more bool, err error) {
	d.ws()
	if d.i >= len(d.b) {
		return nil, false, d.syntax("")
	}
	c := d.b[d.i]
	if c == '}' {
		d.i++
		d.depth--
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, d.syntax("after object key:value pair")
		}
		d.i++
		d.ws()
		if d.i >= len(d.b) {
			return nil, false, d.syntax("")
		}
		c = d.b[d.i]
	}
	if c != '"' {
		return nil, false, d.syntax("looking for beginning of object key string")
	}
	// A key need not be valid UTF-8 unless it is kept (a feature name): one that is not can
	// be no field's, and is skipped.
	key, d.keyUTF8, err = d.str()
	if err != nil {
		return nil, false, err
	}
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != ':' {
		return nil, false, d.syntax("after object key")
	}
	d.i++
	return key, true, d.valueStart()
}

// nextElem moves to the next element of the array being read; more is false, past the ']', at
// its end.
func (d *decoder) nextElem(first bool) (more bool, err error) {
	d.ws()
	if d.i >= len(d.b) {
		return false, d.syntax("")
	}
	c := d.b[d.i]
	if c == ']' {
		d.i++
		d.depth--
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, d.syntax("after array element")
		}
		d.i++
	}
	return true, d.valueStart()
}

// literal moves past the literal word (true, false or null) at d.i.
func (d *decoder) literal(word string) error {
	for j := 0; j < len(word); j++ {
		if d.i >= len(d.b) || d.b[d.i] != word[j] {
			return d.syntax("in literal " + word)
		}
		d.i++
	}
	return nil
}

// number moves past the number at d.i and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.i
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return nil, d.syntax("in numeric literal")
	}
	if d.peek() == '.' {
		d.i++
		if !isDigit(d.peek()) {
			return nil, d.syntax("after decimal point in numeric literal")
		}
		d.digits()
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if !isDigit(d.peek()) {
			return nil, d.syntax("in exponent of numeric literal")
		}
		d.digits()
	}
	return d.b[start:d.i], nil
}

// peek returns the byte at d.i, or 0 at the end of the line.
func (d *decoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) digits() {
	for d.i < len(d.b) && isDigit(d.b[d.i]) {
		d.i++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// str reads the string at d.i and returns its text, unescaped, and whether that is valid
// UTF-8. Without escapes the text is part of the line; with them it is d.buf, valid until the
// next call.
func (d *decoder) str() (s []byte, ok bool, err error) {
	b := d.b
	start := d.i + 1
	ascii := true
	i := start
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			d.i = i + 1
			s = b[start:i]
			return s, ascii || utf8.Valid(s), nil
		}
		if c == '\\' || c < ' ' {
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	// Escapes: unescape into d.buf.
	out := append(d.buf[:0], b[start:i]...)
	lone := false
	for {
		if i >= len(b) {
			d.i = i
			return nil, false, d.syntax("")
		}
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = out
			return out, !lone && (ascii || utf8.Valid(out)), nil
		case c < ' ':
			d.i = i
			return nil, false, d.syntax("in string literal")
		case c != '\\':
			if c >= utf8.RuneSelf {
				ascii = false
			}
			out = append(out, c)
			i++
			continue
		}
		i++
		if i >= len(b) {
			d.i = i
			return nil, false, d.syntax("")
		}
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := d.hex4(i + 1)
			if err != nil {
				return nil, false, err
			}
			i = n - 1
			if utf16.IsSurrogate(r) {
				// A high surrogate escape followed by a low one is one character; any other
				// surrogate stands alone, and reads as U+FFFD as encoding/json did.
				r2 := rune(-1)
				if n+1 < len(b) && b[n] == '\\' && b[n+1] == 'u' {
					if v, n2, err := d.hex4(n + 2); err == nil {
						r2 = v
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							r, i = dec, n2-1
						}
					}
				}
				if utf16.IsSurrogate(r) {
					r, lone = utf8.RuneError, true
				}
			}
			if r >= utf8.RuneSelf {
				ascii = false
			}
			out = utf8.AppendRune(out, r)
		default:
			d.i = i
			return nil, false, d.syntax("in string escape code")
		}
		i++
	}
}

// hex4 reads the four hex digits of a \u escape at b[i:] and returns their value and the
// index after them.
func (d *decoder) hex4(i int) (rune, int, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.b) {
			d.i = j
			return 0, 0, d.syntax("")
		}
		c := d.b[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			d.i = j
			return 0, 0, d.syntax("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(c)
	}
	return r, i + 4, nil
}

// skipStr moves past the string at d.i, checking only its syntax.
func (d *decoder) skipStr() error {
	b := d.b
	i := d.i + 1
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return nil
		case c < ' ':
			d.i = i
			return d.syntax("in string literal")
		case c == '\\':
			i++
			if i >= len(b) {
				break
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, _, err := d.hex4(i + 1); err != nil {
					return err
				}
				i += 4
			default:
				d.i = i
				return d.syntax("in string escape code")
			}
		}
		i++
	}
	d.i = len(b)
	return d.syntax("")
}

// skip moves past the value at d.i, checking its syntax, with an explicit stack of open
// containers bounded by maxDepth.
func (d *decoder) skip() error {
	base := d.depth
	for {
		// A value starts at d.i.
		if err := d.valueStart(); err != nil {
			return err
		}
		var err error
		switch c := d.b[d.i]; c {
		case '{', '[':
			if err := d.enter(); err != nil {
				return err
			}
			obj := c == '{'
			if obj {
				d.open[d.depth/64] |= 1 << (d.depth % 64)
			} else {
				d.open[d.depth/64] &^= 1 << (d.depth % 64)
			}
			d.ws()
			if d.i < len(d.b) && (obj && d.b[d.i] == '}' || !obj && d.b[d.i] == ']') {
				d.i++
				d.depth--
				break
			}
			if obj {
				err = d.skipKey()
			}
			if err != nil {
				return err
			}
			continue
		case '"':
			err = d.skipStr()
		case 't':
			err = d.literal("true")
		case 'f':
			err = d.literal("false")
		case 'n':
			err = d.literal("null")
		default:
			if c == '-' || isDigit(c) {
				_, err = d.number()
			} else {
				err = d.syntax("looking for beginning of value")
			}
		}
		if err != nil {
			return err
		}
		// A value ended: close the containers it ends, up to one that goes on.
		for {
			if d.depth == base {
				return nil
			}
			d.ws()
			if d.i >= len(d.b) {
				return d.syntax("")
			}
			obj := d.open[d.depth/64]&(1<<(d.depth%64)) != 0
			c := d.b[d.i]
			if c == ',' {
				d.i++
				if obj {
					if err := d.skipKey(); err != nil {
						return err
					}
				}
				break
			}
			if obj && c == '}' || !obj && c == ']' {
				d.i++
				d.depth--
				continue
			}
			if obj {
				return d.syntax("after object key:value pair")
			}
			return d.syntax("after array element")
		}
	}
}

// skipKey moves past an object key and its colon.
func (d *decoder) skipKey() error {
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return d.syntax("looking for beginning of object key string")
	}
	if err := d.skipStr(); err != nil {
		return err
	}
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != ':' {
		return d.syntax("after object key")
	}
	d.i++
	return nil
}
