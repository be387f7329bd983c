// Package qr reads, writes and checks EMVCo merchant-presented payment QR
// codes: Pix, PromptPay, PayNow/SGQR, DuitNow, QRIS, VietQR, KHQR, FPS,
// QR Ph, UPI/Bharat QR and the card networks' codes.
//
// For most uses, call [Parse] on the decoded text of a QR code and read the
// typed fields — [Payload.MerchantName], [Payload.Amount],
// [Payload.CurrencyCode], [Payload.Scheme] — and render codes with
// [RenderPNG]. [Build] encodes data objects and appends the CRC.
//
// Parsing follows the EMVCo QR Code Specification for Payment Systems,
// Merchant-Presented Mode ([EMVCo MPM v1.1]). [Lenient] mode accepts the deviations
// national schemes ship and lists them in [Payload.Warnings]; [Strict] mode
// refuses them.
//
// [EMVCo MPM v1.1]: https://www.emvco.com/specifications/emv-qr-code-specification-for-payment-systems-emv-qrcps-merchant-presented-mode/
package qr
