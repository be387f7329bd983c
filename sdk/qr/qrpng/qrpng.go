// Package qrpng renders payment QR payloads as PNG images with
// github.com/skip2/go-qrcode. It is apart from package qr so that code that
// only parses and verifies QR codes (the browser's QR module) does not link
// an image encoder.
package qrpng

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/qr"

	qrcode "github.com/skip2/go-qrcode"
)

// DefaultSize is the PNG width and height [Render] uses when size is 0:
// 512 pixels is at least 5 pixels per module for any EMVCo payload (512
// characters) and prints sharply at 4 cm on a 300 dpi table tent.
const DefaultSize = 512

// maxSize bounds the image Render draws, so a caller's mistake cannot
// allocate gigabytes.
const maxSize = 4096

// Render draws payload as a square QR code PNG of size×size pixels (0
// means [DefaultSize]).
//
// It uses error correction level M (about 15% of codewords recoverable).
// Payment posters get scuffed, stickered over and photographed at an angle,
// so level L (7%) is too fragile; Q and H enlarge a 200-character EMVCo
// payload by several versions, which shrinks each module at a given print
// size and makes the code harder to read from a distance. M is also what
// the EMVCo and national-scheme reference renderers use.
//
// Every module is drawn with the same whole number of pixels, centered in
// the image with at least the 4-module quiet zone the QR standard requires;
// the rest of the margin is white. (The encoder's own scaling spreads the
// rounding over the modules, which makes some modules a pixel wider than
// others — worse for printing and for strict decoders.) Text is encoded as
// UTF-8 in byte mode.
//
// Render does not check that payload is an EMVCo payload, so it also
// draws URL codes. It refuses an empty payload, invalid UTF-8 and text too
// long for a QR code with an error wrapping [qr.ErrMalformed], and a size
// outside [21, 4096] or too small for one pixel per module with a plain
// error.
func Render(payload string, size int) ([]byte, error) {
	if size == 0 {
		size = DefaultSize
	}
	if size < 21 || size > maxSize {
		return nil, fmt.Errorf("qrpng: size %d outside [21, %d]", size, maxSize)
	}
	if payload == "" || !utf8.ValidString(payload) {
		return nil, fmt.Errorf("qrpng: empty payload or invalid UTF-8: %w", qr.ErrMalformed)
	}
	code, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qrpng: %v: %w", err, qr.ErrMalformed)
	}
	modules := code.Bitmap() // includes the quiet zone
	n := len(modules)
	scale := size / n
	if scale < 1 {
		return nil, fmt.Errorf("qrpng: size %d too small for a code of %d modules", size, n)
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	off := (size - n*scale) / 2
	for y, row := range modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				start := img.PixOffset(off+x*scale, off+y*scale+dy)
				for dx := range scale {
					img.Pix[start+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qrpng: %w", err)
	}
	return buf.Bytes(), nil
}
