package qr

import (
	"bytes"
	"errors"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodePNG reads a rendered code back with gozxing, an implementation
// independent of the encoder.
func decodePNG(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("NewBinaryBitmapFromImage: %v", err)
	}
	// No CHARACTER_SET hint: like a wallet, the decoder must recognise the
	// UTF-8 of the Thai, Khmer and Chinese names by itself.
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("gozxing Decode: %v", err)
	}
	return res.GetText()
}

func TestRenderPNGRoundTrip(t *testing.T) {
	cases := loadConformance(t)
	byName := map[string]string{}
	for _, c := range cases {
		byName[c.Name] = c.Payload
	}
	for _, name := range []string{
		"emvco-spec-appendix",       // Chinese language template
		"thai-language-template",    // Thai language template
		"khqr-khmer-language",       // Khmer language template
		"pix-bcb-static",            // ASCII, mixed case
		"sgqr-multi-network",        // long: 300+ characters
		"bharatqr-razorpay-dynamic", // digits-heavy
		"duitnow-kerusi-urut",       // raw data in template 82
	} {
		payload, ok := byName[name]
		if !ok {
			t.Fatalf("no conformance case %q", name)
		}
		for _, size := range []int{0, 256, 1024} {
			b, err := RenderPNG(payload, size)
			if err != nil {
				t.Fatalf("RenderPNG(%s, %d) = %v", name, size, err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			wantSize := size
			if size == 0 {
				wantSize = DefaultSize
			}
			if cfg.Width != wantSize || cfg.Height != wantSize {
				t.Errorf("RenderPNG(%s, %d) is %dx%d, want %dx%d", name, size, cfg.Width, cfg.Height, wantSize, wantSize)
			}
			if got := decodePNG(t, b); got != payload {
				t.Errorf("decode(RenderPNG(%s, %d)) = %q, want %q", name, size, got, payload)
			}
		}
	}
}

func TestRenderPNGRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		size    int
		code    error
	}{
		{"empty", "", 0, ErrMalformed},
		{"invalid UTF-8", "000201\xff", 0, ErrMalformed},
		{"too long for a QR code", strings.Repeat("漢", 2000), 0, ErrMalformed},
		{"negative size", pixManualStatic, -1, nil},
		{"tiny size", pixManualStatic, 20, nil},
		{"too small for one pixel per module", strings.Repeat("9", 500), 60, nil},
		{"huge size", pixManualStatic, 1 << 20, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := RenderPNG(tc.payload, tc.size)
			if err == nil {
				t.Fatalf("RenderPNG(%d) = %d bytes, want an error", tc.size, len(b))
			}
			if tc.code != nil && !errors.Is(err, tc.code) {
				t.Errorf("RenderPNG = %v, want %v", err, tc.code)
			}
		})
	}
}
