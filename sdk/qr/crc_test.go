package qr

import "testing"

func TestCRC16(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
	}{
		// The CRC catalogue's check value for CRC-16/IBM-3740 (alias
		// CRC-16/CCITT-FALSE): https://reveng.sourceforge.io/crc-catalogue/16.htm
		{"123456789", 0x29B1},
		{"", 0xFFFF},
		{"A", 0xB915},
	}
	for _, tc := range tests {
		if got := crc16([]byte(tc.in)); got != tc.want {
			t.Errorf("crc16(%q) = %04X, want %04X", tc.in, got, tc.want)
		}
		if got := crc16String(tc.in); got != tc.want {
			t.Errorf("crc16String(%q) = %04X, want %04X", tc.in, got, tc.want)
		}
	}
}

// TestCRC16Bitwise checks the table-driven CRC against a plain bit-by-bit
// implementation of the definition.
func TestCRC16Bitwise(t *testing.T) {
	bitwise := func(b []byte) uint16 {
		crc := uint16(0xFFFF)
		for _, c := range b {
			crc ^= uint16(c) << 8
			for range 8 {
				if crc&0x8000 != 0 {
					crc = crc<<1 ^ 0x1021
				} else {
					crc <<= 1
				}
			}
		}
		return crc
	}
	b := make([]byte, 0, 300)
	for i := range 300 {
		b = append(b, byte(i*7+3))
		if got, want := crc16(b), bitwise(b); got != want {
			t.Fatalf("crc16(%d bytes) = %04X, want %04X", len(b), got, want)
		}
	}
}

func BenchmarkCRC16(b *testing.B) {
	buf := []byte(pixManualStatic[:len(pixManualStatic)-4])
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		crc16(buf)
	}
}
