package qr

// crcTable is the byte-wise lookup table for CRC-16/CCITT-FALSE
// (polynomial 0x1021, not reflected). It is computed once and never written
// again.
var crcTable = makeCRCTable()

func makeCRCTable() *[256]uint16 {
	var t [256]uint16
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return &t
}

// crc16 returns the CRC-16/CCITT-FALSE checksum of b: polynomial 0x1021,
// initial value 0xFFFF, no reflection, no final XOR. It is the checksum EMVCo
// merchant-presented payloads carry in ID "63", computed over the UTF-8 bytes
// of the payload up to and including "6304". crc16([]byte("123456789")) is
// 0x29B1.
func crc16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^c]
	}
	return crc
}

// crc16String is crc16 over the bytes of s, without copying s.
func crc16String(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^s[i]]
	}
	return crc
}

const hexUpper = "0123456789ABCDEF"

// crcHex formats a CRC as the four upper-case hex digits EMVCo requires.
func crcHex(c uint16) string {
	return string([]byte{hexUpper[c>>12], hexUpper[c>>8&0xF], hexUpper[c>>4&0xF], hexUpper[c&0xF]})
}
