package qrpng

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/sealpay/sealpay/sdk/qr"
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

func TestRenderRoundTrip(t *testing.T) {
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
			b, err := Render(payload, size)
			if err != nil {
				t.Fatalf("Render(%s, %d) = %v", name, size, err)
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
				t.Errorf("Render(%s, %d) is %dx%d, want %dx%d", name, size, cfg.Width, cfg.Height, wantSize, wantSize)
			}
			if got := decodePNG(t, b); got != payload {
				t.Errorf("decode(Render(%s, %d)) = %q, want %q", name, size, got, payload)
			}
		}
	}
}

func TestRenderRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		size    int
		code    error
	}{
		{"empty", "", 0, qr.ErrMalformed},
		{"invalid UTF-8", "000201\xff", 0, qr.ErrMalformed},
		{"too long for a QR code", strings.Repeat("漢", 2000), 0, qr.ErrMalformed},
		{"negative size", pixManualStatic, -1, nil},
		{"tiny size", pixManualStatic, 20, nil},
		{"too small for one pixel per module", strings.Repeat("9", 500), 60, nil},
		{"huge size", pixManualStatic, 1 << 20, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Render(tc.payload, tc.size)
			if err == nil {
				t.Fatalf("Render(%d) = %d bytes, want an error", tc.size, len(b))
			}
			if tc.code != nil && !errors.Is(err, tc.code) {
				t.Errorf("Render = %v, want %v", err, tc.code)
			}
		})
	}
}

// conformanceCase is the part of sdk/qr's conformance suite these tests use.
type conformanceCase struct {
	Name    string `json:"name"`
	Payload string `json:"payload"`
}

// loadConformance reads sdk/qr's EMVCo conformance suite (testdata/emv).
func loadConformance(tb testing.TB) []conformanceCase {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "emv", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var all []conformanceCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var cs []conformanceCase
		if err := json.Unmarshal(b, &cs); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		all = append(all, cs...)
	}
	if len(all) == 0 {
		tb.Fatal("no conformance cases in ../testdata/emv")
	}
	return all
}

// pixManualStatic is the static Pix code from the Banco Central do Brasil's
// "Manual de Padrões para Iniciação do Pix" (also in sdk/qr's tests).
const pixManualStatic = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
