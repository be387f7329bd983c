/**
 * The hosted fields' texts in every supported locale. Error texts are keyed
 * by what is wrong; each maps to one stable error code (see messageCode).
 */
import type { ErrorCode, Locale } from "../types.js";

export type MessageKey =
  | "number"
  | "expiry"
  | "cvc"
  | "name"
  | "title"
  | "wallet"
  | "expiry_placeholder"
  | "number_incomplete"
  | "number_invalid"
  | "brand_unsupported"
  | "expiry_incomplete"
  | "expiry_invalid"
  | "expiry_past"
  | "cvc_incomplete"
  | "cvc_invalid"
  | "failed";

/** messageCode is the error code each error text stands for. */
export const messageCode: Partial<Record<MessageKey, ErrorCode>> = {
  number_incomplete: "invalid_card_number",
  number_invalid: "invalid_card_number",
  brand_unsupported: "unsupported_brand",
  expiry_incomplete: "invalid_expiry",
  expiry_invalid: "invalid_expiry",
  expiry_past: "card_expired",
  cvc_incomplete: "invalid_cvc",
  cvc_invalid: "invalid_cvc",
  failed: "internal",
};

type Table = Record<MessageKey, string>;

export const messages: Record<Locale, Table> = {
  en: {
    number: "Card number", expiry: "Expiry date", cvc: "Security code", name: "Name on card",
    title: "Secure card payment input",
    wallet: "Pay with a wallet",
    expiry_placeholder: "MM / YY",
    number_incomplete: "Your card number is incomplete.",
    number_invalid: "Your card number is invalid.",
    brand_unsupported: "This card brand is not accepted.",
    expiry_incomplete: "Your card's expiry date is incomplete.",
    expiry_invalid: "Your card's expiry date is invalid.",
    expiry_past: "Your card has expired.",
    cvc_incomplete: "Your card's security code is incomplete.",
    cvc_invalid: "Your card's security code is invalid.",
    failed: "Something went wrong. Please try again.",
  },
  "zh-CN": {
    number: "卡号", expiry: "有效期", cvc: "安全码", name: "持卡人姓名",
    title: "安全的银行卡支付输入框",
    wallet: "使用电子钱包支付",
    expiry_placeholder: "MM / YY",
    number_incomplete: "卡号不完整。",
    number_invalid: "卡号无效。",
    brand_unsupported: "不支持此卡组织。",
    expiry_incomplete: "有效期不完整。",
    expiry_invalid: "有效期无效。",
    expiry_past: "此卡已过期。",
    cvc_incomplete: "安全码不完整。",
    cvc_invalid: "安全码无效。",
    failed: "出现问题，请重试。",
  },
  ja: {
    number: "カード番号", expiry: "有効期限", cvc: "セキュリティコード", name: "カード名義人",
    title: "安全なカード決済入力欄",
    wallet: "ウォレットで支払う",
    expiry_placeholder: "MM / YY",
    number_incomplete: "カード番号が不完全です。",
    number_invalid: "カード番号が無効です。",
    brand_unsupported: "このカードブランドはご利用いただけません。",
    expiry_incomplete: "有効期限が不完全です。",
    expiry_invalid: "有効期限が無効です。",
    expiry_past: "このカードは有効期限が切れています。",
    cvc_incomplete: "セキュリティコードが不完全です。",
    cvc_invalid: "セキュリティコードが無効です。",
    failed: "問題が発生しました。もう一度お試しください。",
  },
  ko: {
    number: "카드 번호", expiry: "유효기간", cvc: "보안 코드", name: "카드 소유자 이름",
    title: "안전한 카드 결제 입력란",
    wallet: "지갑으로 결제",
    expiry_placeholder: "MM / YY",
    number_incomplete: "카드 번호가 완전하지 않습니다.",
    number_invalid: "카드 번호가 유효하지 않습니다.",
    brand_unsupported: "지원하지 않는 카드 브랜드입니다.",
    expiry_incomplete: "유효기간이 완전하지 않습니다.",
    expiry_invalid: "유효기간이 유효하지 않습니다.",
    expiry_past: "카드 유효기간이 지났습니다.",
    cvc_incomplete: "보안 코드가 완전하지 않습니다.",
    cvc_invalid: "보안 코드가 유효하지 않습니다.",
    failed: "문제가 발생했습니다. 다시 시도해 주세요.",
  },
  ru: {
    number: "Номер карты", expiry: "Срок действия", cvc: "Код безопасности", name: "Имя владельца карты",
    title: "Защищённый ввод данных карты",
    wallet: "Оплата через кошелёк",
    expiry_placeholder: "ММ / ГГ",
    number_incomplete: "Номер карты введён не полностью.",
    number_invalid: "Неверный номер карты.",
    brand_unsupported: "Карты этой платёжной системы не принимаются.",
    expiry_incomplete: "Срок действия введён не полностью.",
    expiry_invalid: "Неверный срок действия.",
    expiry_past: "Срок действия карты истёк.",
    cvc_incomplete: "Код безопасности введён не полностью.",
    cvc_invalid: "Неверный код безопасности.",
    failed: "Что-то пошло не так. Попробуйте ещё раз.",
  },
  es: {
    number: "Número de tarjeta", expiry: "Fecha de caducidad", cvc: "Código de seguridad", name: "Nombre en la tarjeta",
    title: "Campos seguros de pago con tarjeta",
    wallet: "Pagar con un monedero digital",
    expiry_placeholder: "MM / AA",
    number_incomplete: "El número de la tarjeta está incompleto.",
    number_invalid: "El número de la tarjeta no es válido.",
    brand_unsupported: "No se acepta esta marca de tarjeta.",
    expiry_incomplete: "La fecha de caducidad está incompleta.",
    expiry_invalid: "La fecha de caducidad no es válida.",
    expiry_past: "La tarjeta ha caducado.",
    cvc_incomplete: "El código de seguridad está incompleto.",
    cvc_invalid: "El código de seguridad no es válido.",
    failed: "Algo salió mal. Inténtalo de nuevo.",
  },
  "pt-BR": {
    number: "Número do cartão", expiry: "Validade", cvc: "Código de segurança", name: "Nome no cartão",
    title: "Campos seguros de pagamento com cartão",
    wallet: "Pagar com uma carteira digital",
    expiry_placeholder: "MM / AA",
    number_incomplete: "O número do cartão está incompleto.",
    number_invalid: "O número do cartão é inválido.",
    brand_unsupported: "Esta bandeira de cartão não é aceita.",
    expiry_incomplete: "A validade do cartão está incompleta.",
    expiry_invalid: "A validade do cartão é inválida.",
    expiry_past: "O cartão está vencido.",
    cvc_incomplete: "O código de segurança está incompleto.",
    cvc_invalid: "O código de segurança é inválido.",
    failed: "Algo deu errado. Tente novamente.",
  },
  de: {
    number: "Kartennummer", expiry: "Ablaufdatum", cvc: "Sicherheitscode", name: "Name auf der Karte",
    title: "Sichere Eingabe der Kartendaten",
    wallet: "Mit einer Wallet bezahlen",
    expiry_placeholder: "MM / JJ",
    number_incomplete: "Die Kartennummer ist unvollständig.",
    number_invalid: "Die Kartennummer ist ungültig.",
    brand_unsupported: "Diese Kartenmarke wird nicht akzeptiert.",
    expiry_incomplete: "Das Ablaufdatum ist unvollständig.",
    expiry_invalid: "Das Ablaufdatum ist ungültig.",
    expiry_past: "Die Karte ist abgelaufen.",
    cvc_incomplete: "Der Sicherheitscode ist unvollständig.",
    cvc_invalid: "Der Sicherheitscode ist ungültig.",
    failed: "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
  },
  fr: {
    number: "Numéro de carte", expiry: "Date d'expiration", cvc: "Code de sécurité", name: "Nom sur la carte",
    title: "Saisie sécurisée de la carte de paiement",
    wallet: "Payer avec un portefeuille numérique",
    expiry_placeholder: "MM / AA",
    number_incomplete: "Le numéro de carte est incomplet.",
    number_invalid: "Le numéro de carte n'est pas valide.",
    brand_unsupported: "Ce réseau de carte n'est pas accepté.",
    expiry_incomplete: "La date d'expiration est incomplète.",
    expiry_invalid: "La date d'expiration n'est pas valide.",
    expiry_past: "La carte a expiré.",
    cvc_incomplete: "Le code de sécurité est incomplet.",
    cvc_invalid: "Le code de sécurité n'est pas valide.",
    failed: "Une erreur s'est produite. Veuillez réessayer.",
  },
  id: {
    number: "Nomor kartu", expiry: "Masa berlaku", cvc: "Kode keamanan", name: "Nama pada kartu",
    title: "Input pembayaran kartu yang aman",
    wallet: "Bayar dengan dompet digital",
    expiry_placeholder: "BB / TT",
    number_incomplete: "Nomor kartu belum lengkap.",
    number_invalid: "Nomor kartu tidak valid.",
    brand_unsupported: "Jenis kartu ini tidak diterima.",
    expiry_incomplete: "Masa berlaku kartu belum lengkap.",
    expiry_invalid: "Masa berlaku kartu tidak valid.",
    expiry_past: "Kartu sudah kedaluwarsa.",
    cvc_incomplete: "Kode keamanan belum lengkap.",
    cvc_invalid: "Kode keamanan tidak valid.",
    failed: "Terjadi kesalahan. Silakan coba lagi.",
  },
  th: {
    number: "หมายเลขบัตร", expiry: "วันหมดอายุ", cvc: "รหัสความปลอดภัย", name: "ชื่อบนบัตร",
    title: "ช่องกรอกข้อมูลบัตรสำหรับชำระเงินอย่างปลอดภัย",
    wallet: "ชำระเงินด้วยวอลเล็ต",
    expiry_placeholder: "ดด / ปป",
    number_incomplete: "หมายเลขบัตรไม่ครบถ้วน",
    number_invalid: "หมายเลขบัตรไม่ถูกต้อง",
    brand_unsupported: "ไม่รับบัตรประเภทนี้",
    expiry_incomplete: "วันหมดอายุไม่ครบถ้วน",
    expiry_invalid: "วันหมดอายุไม่ถูกต้อง",
    expiry_past: "บัตรหมดอายุแล้ว",
    cvc_incomplete: "รหัสความปลอดภัยไม่ครบถ้วน",
    cvc_invalid: "รหัสความปลอดภัยไม่ถูกต้อง",
    failed: "เกิดข้อผิดพลาด โปรดลองอีกครั้ง",
  },
  vi: {
    number: "Số thẻ", expiry: "Ngày hết hạn", cvc: "Mã bảo mật", name: "Tên trên thẻ",
    title: "Ô nhập thanh toán thẻ an toàn",
    wallet: "Thanh toán bằng ví điện tử",
    expiry_placeholder: "MM / YY",
    number_incomplete: "Số thẻ chưa đầy đủ.",
    number_invalid: "Số thẻ không hợp lệ.",
    brand_unsupported: "Loại thẻ này không được chấp nhận.",
    expiry_incomplete: "Ngày hết hạn chưa đầy đủ.",
    expiry_invalid: "Ngày hết hạn không hợp lệ.",
    expiry_past: "Thẻ đã hết hạn.",
    cvc_incomplete: "Mã bảo mật chưa đầy đủ.",
    cvc_invalid: "Mã bảo mật không hợp lệ.",
    failed: "Đã xảy ra lỗi. Vui lòng thử lại.",
  },
};

/** Display names of the brands (not translated: they are trademarks). */
export const brandNames: Record<string, string> = {
  visa: "Visa", mastercard: "Mastercard", amex: "American Express", discover: "Discover",
  diners: "Diners Club", jcb: "JCB", unionpay: "UnionPay", maestro: "Maestro", mir: "Mir",
  rupay: "RuPay", elo: "Elo", hipercard: "Hipercard", troy: "Troy", verve: "Verve",
  dankort: "Dankort", bccard: "BC Card",
};
