// Package qr reads, signs and checks EMVCo merchant-presented payment QR
// codes: Pix, PromptPay, PayNow/SGQR, DuitNow, QRIS, VietQR, KHQR, FPS,
// QR Ph, UPI/Bharat QR and the card networks' codes.
//
// For most uses, call [Verify] on the decoded text of a scanned code, with
// a [TrustBundle] from [LoadTrustBundle] pinned to the registry's root key:
// the [Verdict] says whether a certified merchant signed the code for the
// account it pays, in localized words to show before paying. On the
// merchant's side, [Sign] turns the merchant's static code into a signed
// dynamic one for an amount. To read a payload without any trust decision,
// call [Parse] and the typed fields — [Payload.MerchantName],
// [Payload.Amount], [Payload.CurrencyCode], [Payload.Scheme]; [Build]
// encodes data objects, and package qrpng draws the code.
//
// The registry's side — [RootKey.Certify] for a merchant key, and
// [RootKey.SignBundle] for the trust bundle — and the signed format are
// specified in docs/qr-v1.md.
//
// Parsing follows the EMVCo QR Code Specification for Payment Systems,
// Merchant-Presented Mode ([EMVCo MPM v1.1]): two-digit IDs and lengths,
// lengths counted in characters, nested templates, "00" first, "63" last
// holding a CRC-16/CCITT-FALSE. [Lenient] mode accepts the deviations
// national schemes ship and lists them in [Payload.Warnings]; [Strict] mode
// refuses them.
//
// [EMVCo MPM v1.1]: https://www.emvco.com/wp-content/uploads/documents/EMVCo-Merchant-Presented-QR-Specification-v1.1.pdf
package qr
