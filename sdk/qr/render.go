package qr

import (
	"fmt"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
)

// DefaultSize is the PNG width and height [RenderPNG] uses when size is 0:
// large enough to print on an A6 table tent and to scan from a screen.
const DefaultSize = 512

// maxSize bounds the image RenderPNG draws, so a caller's mistake cannot
// allocate gigabytes.
const maxSize = 4096

// RenderPNG draws payload as a square QR code PNG of size×size pixels (0
// means [DefaultSize]).
//
// It uses error correction level M (15% of codewords recoverable). Payment
// posters get scuffed, stickered over and photographed at an angle, so
// level L (7%) is too fragile; Q and H grow a 200-character EMVCo payload
// by several versions, which shrinks each module at a given print size and
// makes codes harder to read from a distance. M is what EMVCo's own
// examples and most national schemes' renderers use.
//
// RenderPNG does not check that payload is an EMVCo payload, so it also
// draws URL codes; it refuses an empty payload, invalid UTF-8 and text too
// long for a QR code with an error wrapping [ErrMalformed].
func RenderPNG(payload string, size int) ([]byte, error) {
	if size == 0 {
		size = DefaultSize
	}
	if size < 21 || size > maxSize {
		return nil, fmt.Errorf("qr: render: size %d outside [21, %d]", size, maxSize)
	}
	if payload == "" || !utf8.ValidString(payload) {
		return nil, fmt.Errorf("qr: render: empty payload or invalid UTF-8: %w", ErrMalformed)
	}
	code, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: render: %v: %w", err, ErrMalformed)
	}
	png, err := code.PNG(size)
	if err != nil {
		return nil, fmt.Errorf("qr: render: %w", err)
	}
	return png, nil
}
