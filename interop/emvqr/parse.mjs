// Reads one EMVCo merchant-presented payload on stdin and prints what an
// independent parser (promptparse, https://github.com/maythiwat/promptparse)
// makes of it, as JSON. Used by interop/emvqr_test.go.
import { parse } from 'promptparse'

let input = ''
process.stdin.setEncoding('utf8')
for await (const chunk of process.stdin) input += chunk
const payload = input.replace(/\r?\n$/, '')

// parse(payload, strict, subTags): strict checks the CRC before parsing.
const checked = parse(payload, true, true)
const qr = checked ?? parse(payload, false, true)
if (!qr) {
  console.log(JSON.stringify({ ok: false }))
  process.exit(0)
}
const tags = (list) => list.map((t) => ({ id: t.id, value: t.value, ...(t.subTags ? { sub: tags(t.subTags) } : {}) }))
console.log(JSON.stringify({
  ok: true,
  crc_valid: checked !== null && qr.validate('63'),
  payee: qr.getTagValue('59') ?? null,
  city: qr.getTagValue('60') ?? null,
  amount: qr.getTagValue('54') ?? null,
  currency: qr.getTagValue('53') ?? null,
  reference: qr.getTagValue('62', '05') ?? null,
  tags: tags(qr.getTags()),
}))
