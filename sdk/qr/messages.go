package qr

import (
	"strings"
	"sync"

	"golang.org/x/text/language"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// defaultLang is the language of messages when negotiation finds no match.
const defaultLang = "en"

// langs are the languages of the verdict messages, as BCP 47 tags. The
// first is the fallback.
var langs = []string{"en", "zh-CN", "ja", "ko", "ru", "es", "pt-BR", "de", "fr", "id", "th", "vi"}

var matcher = sync.OnceValue(func() language.Matcher {
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.MustParse(l)
	}
	return language.NewMatcher(tags)
})

// matchLang picks the message language for a BCP 47 tag or an
// Accept-Language value ("zh-Hans-CN" → "zh-CN", "pt" → "pt-BR",
// "en-GB" → "en"), falling back to English.
func matchLang(pref string) string {
	if pref == "" || len(pref) > 256 {
		return defaultLang
	}
	// Apps usually pass one of the languages as it is: skip parsing it.
	for _, l := range langs {
		if strings.EqualFold(pref, l) {
			return l
		}
	}
	_, i := language.MatchStrings(matcher(), pref)
	if i < 0 || i >= len(langs) {
		return defaultLang
	}
	return langs[i]
}

// message returns the text for key in lang with {name} placeholders
// filled from args (name, value pairs). A key "code.detail" without a text
// of its own falls back to "code".
func message(key, lang string, args ...string) string {
	m, ok := messages[key]
	if !ok {
		if i := strings.IndexByte(key, '.'); i > 0 {
			m, ok = messages[key[:i]]
		}
		if !ok {
			m = messages[string(errcode.Internal)]
		}
	}
	s, ok := m[lang]
	if !ok {
		s = m[defaultLang]
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
	}
	return s
}

// newReason returns a reason with its message in lang.
func newReason(code errcode.Code, detail, lang string) Reason {
	key := string(code)
	if detail != "" {
		key += "." + detail
	}
	return Reason{Code: code, Detail: detail, Message: message(key, lang)}
}

// messages holds every text a verdict shows: the three headlines and one
// message per reason code (and per detail where the detail changes what
// the shopper should know). They are written for a payment app's screen:
// short, plain, in the register each language's banking apps use.
// {merchant} is the verified merchant's name; {reason} is the first
// reason's message.
var messages = map[string]map[string]string{
	"headline.verified": {
		"en":    "Verified: {merchant}",
		"zh-CN": "已验证：{merchant}",
		"ja":    "確認済み：{merchant}",
		"ko":    "인증됨: {merchant}",
		"ru":    "Проверено: {merchant}",
		"es":    "Verificado: {merchant}",
		"pt-BR": "Verificado: {merchant}",
		"de":    "Verifiziert: {merchant}",
		"fr":    "Vérifié\u00a0: {merchant}",
		"id":    "Terverifikasi: {merchant}",
		"th":    "ยืนยันแล้ว: {merchant}",
		"vi":    "Đã xác minh: {merchant}",
	},
	"headline.unsigned": {
		"en":    "Unsigned QR — check the payee",
		"zh-CN": "未签名的二维码——请核对收款方",
		"ja":    "署名のないQRコードです。支払先をご確認ください",
		"ko":    "서명되지 않은 QR 코드 — 받는 분을 확인하세요",
		"ru":    "QR-код без подписи — проверьте получателя",
		"es":    "QR sin firma: comprueba el destinatario",
		"pt-BR": "QR Code sem assinatura — confira o recebedor",
		"de":    "QR-Code ohne Signatur – prüfen Sie den Empfänger",
		"fr":    "QR code non signé — vérifiez le bénéficiaire",
		"id":    "QR tanpa tanda tangan — periksa penerima",
		"th":    "QR ไม่มีลายเซ็น โปรดตรวจสอบผู้รับเงิน",
		"vi":    "Mã QR chưa được ký — hãy kiểm tra người nhận",
	},
	"headline.rejected": {
		"en":    "Do not pay: {reason}",
		"zh-CN": "请勿付款：{reason}",
		"ja":    "支払わないでください：{reason}",
		"ko":    "결제하지 마세요: {reason}",
		"ru":    "Не оплачивайте: {reason}",
		"es":    "No pagues: {reason}",
		"pt-BR": "Não pague: {reason}",
		"de":    "Nicht bezahlen: {reason}",
		"fr":    "Ne payez pas\u00a0: {reason}",
		"id":    "Jangan bayar: {reason}",
		"th":    "อย่าชำระเงิน: {reason}",
		"vi":    "Đừng thanh toán: {reason}",
	},
	string(errcode.QRMalformed): {
		"en":    "This is not a valid payment QR code.",
		"zh-CN": "这不是有效的付款二维码。",
		"ja":    "有効な支払い用QRコードではありません。",
		"ko":    "올바른 결제 QR 코드가 아닙니다.",
		"ru":    "Это недействительный платёжный QR-код.",
		"es":    "No es un código QR de pago válido.",
		"pt-BR": "Este não é um QR Code de pagamento válido.",
		"de":    "Das ist kein gültiger Zahlungs-QR-Code.",
		"fr":    "Ce n’est pas un QR code de paiement valide.",
		"id":    "Ini bukan kode QR pembayaran yang valid.",
		"th":    "นี่ไม่ใช่คิวอาร์โค้ดสำหรับชำระเงินที่ถูกต้อง",
		"vi":    "Đây không phải là mã QR thanh toán hợp lệ.",
	},
	string(errcode.QRBadCRC): {
		"en":    "The QR code is damaged or has been altered.",
		"zh-CN": "二维码已损坏或被改动。",
		"ja":    "QRコードが破損しているか、改ざんされています。",
		"ko":    "QR 코드가 손상되었거나 변경되었습니다.",
		"ru":    "QR-код повреждён или изменён.",
		"es":    "El código QR está dañado o ha sido modificado.",
		"pt-BR": "O QR Code está danificado ou foi alterado.",
		"de":    "Der QR-Code ist beschädigt oder wurde verändert.",
		"fr":    "Le QR code est endommagé ou a été modifié.",
		"id":    "Kode QR rusak atau telah diubah.",
		"th":    "คิวอาร์โค้ดเสียหายหรือถูกแก้ไข",
		"vi":    "Mã QR bị hỏng hoặc đã bị thay đổi.",
	},
	string(errcode.QRUnsigned): {
		"en":    "This QR code is not signed by Sealpay. Check the payee’s name before you pay.",
		"zh-CN": "此二维码没有 Sealpay 签名。付款前请核对收款方名称。",
		"ja":    "このQRコードにはSealpayの署名がありません。支払う前に支払先の名前をご確認ください。",
		"ko":    "Sealpay 서명이 없는 QR 코드입니다. 결제하기 전에 받는 분의 이름을 확인하세요.",
		"ru":    "QR-код не подписан Sealpay. Перед оплатой проверьте имя получателя.",
		"es":    "Este código QR no está firmado por Sealpay. Comprueba el nombre del destinatario antes de pagar.",
		"pt-BR": "Este QR Code não tem assinatura da Sealpay. Confira o nome do recebedor antes de pagar.",
		"de":    "Dieser QR-Code ist nicht von Sealpay signiert. Prüfen Sie vor dem Bezahlen den Namen des Empfängers.",
		"fr":    "Ce QR code n’est pas signé par Sealpay. Vérifiez le nom du bénéficiaire avant de payer.",
		"id":    "Kode QR ini tidak ditandatangani oleh Sealpay. Periksa nama penerima sebelum membayar.",
		"th":    "คิวอาร์โค้ดนี้ไม่มีลายเซ็นของ Sealpay โปรดตรวจสอบชื่อผู้รับเงินก่อนชำระเงิน",
		"vi":    "Mã QR này không có chữ ký của Sealpay. Hãy kiểm tra tên người nhận trước khi thanh toán.",
	},
	string(errcode.QRBadSignature): {
		"en":    "The QR code’s signature is not valid. It may have been tampered with.",
		"zh-CN": "二维码签名无效，可能已被篡改。",
		"ja":    "QRコードの署名が無効です。改ざんされている可能性があります。",
		"ko":    "QR 코드의 서명이 유효하지 않습니다. 위조되었을 수 있습니다.",
		"ru":    "Подпись QR-кода недействительна. Возможно, код подделан.",
		"es":    "La firma del código QR no es válida. Puede haber sido manipulado.",
		"pt-BR": "A assinatura do QR Code é inválida. Ele pode ter sido adulterado.",
		"de":    "Die Signatur des QR-Codes ist ungültig. Er wurde möglicherweise manipuliert.",
		"fr":    "La signature du QR code n’est pas valide. Il a peut-être été falsifié.",
		"id":    "Tanda tangan kode QR tidak valid. Kode ini mungkin telah dipalsukan.",
		"th":    "ลายเซ็นของคิวอาร์โค้ดไม่ถูกต้อง อาจถูกปลอมแปลง",
		"vi":    "Chữ ký của mã QR không hợp lệ. Mã có thể đã bị giả mạo.",
	},
	string(errcode.QRBadSignature) + ".payee_account": {
		"en":    "This QR code pays into an account that is not registered to the merchant.",
		"zh-CN": "此二维码的收款账户未登记在该商户名下。",
		"ja":    "このQRコードの支払先口座は、この加盟店の登録口座ではありません。",
		"ko":    "이 QR 코드의 입금 계좌는 가맹점에 등록된 계좌가 아닙니다.",
		"ru":    "Этот QR-код переводит деньги на счёт, не зарегистрированный за продавцом.",
		"es":    "Este código QR paga a una cuenta que no está registrada a nombre del comercio.",
		"pt-BR": "Este QR Code paga para uma conta que não está cadastrada em nome do estabelecimento.",
		"de":    "Dieser QR-Code zahlt auf ein Konto, das nicht für den Händler registriert ist.",
		"fr":    "Ce QR code paie sur un compte qui n’est pas enregistré au nom du commerçant.",
		"id":    "Kode QR ini membayar ke rekening yang tidak terdaftar atas nama merchant.",
		"th":    "คิวอาร์โค้ดนี้โอนเงินเข้าบัญชีที่ไม่ได้ลงทะเบียนไว้กับร้านค้า",
		"vi":    "Mã QR này thanh toán vào một tài khoản không được đăng ký cho người bán.",
	},
	string(errcode.QRUnknownKey): {
		"en":    "The QR code was signed with a key Sealpay does not know.",
		"zh-CN": "二维码使用了 Sealpay 无法识别的密钥签名。",
		"ja":    "このQRコードは、Sealpayが認識できない鍵で署名されています。",
		"ko":    "Sealpay가 알 수 없는 키로 서명된 QR 코드입니다.",
		"ru":    "QR-код подписан ключом, неизвестным Sealpay.",
		"es":    "El código QR está firmado con una clave que Sealpay no reconoce.",
		"pt-BR": "O QR Code foi assinado com uma chave que a Sealpay não reconhece.",
		"de":    "Der QR-Code wurde mit einem Schlüssel signiert, den Sealpay nicht kennt.",
		"fr":    "Le QR code a été signé avec une clé inconnue de Sealpay.",
		"id":    "Kode QR ditandatangani dengan kunci yang tidak dikenal Sealpay.",
		"th":    "คิวอาร์โค้ดนี้ลงนามด้วยกุญแจที่ Sealpay ไม่รู้จัก",
		"vi":    "Mã QR được ký bằng một khóa mà Sealpay không nhận ra.",
	},
	string(errcode.QRRevoked): {
		"en":    "This merchant’s signing key has been revoked.",
		"zh-CN": "该商户的签名密钥已被吊销。",
		"ja":    "この加盟店の署名鍵は失効しています。",
		"ko":    "이 가맹점의 서명 키는 폐기되었습니다.",
		"ru":    "Ключ подписи этого продавца отозван.",
		"es":    "La clave de firma de este comercio ha sido revocada.",
		"pt-BR": "A chave de assinatura deste estabelecimento foi revogada.",
		"de":    "Der Signaturschlüssel dieses Händlers wurde widerrufen.",
		"fr":    "La clé de signature de ce commerçant a été révoquée.",
		"id":    "Kunci tanda tangan merchant ini telah dicabut.",
		"th":    "กุญแจลงนามของร้านค้านี้ถูกเพิกถอนแล้ว",
		"vi":    "Khóa ký của người bán này đã bị thu hồi.",
	},
	string(errcode.QRExpired): {
		"en":    "This QR code has expired.",
		"zh-CN": "此二维码已过期。",
		"ja":    "このQRコードは有効期限が切れています。",
		"ko":    "이 QR 코드는 만료되었습니다.",
		"ru":    "Срок действия QR-кода истёк.",
		"es":    "Este código QR ha caducado.",
		"pt-BR": "Este QR Code expirou.",
		"de":    "Dieser QR-Code ist abgelaufen.",
		"fr":    "Ce QR code a expiré.",
		"id":    "Kode QR ini sudah kedaluwarsa.",
		"th":    "คิวอาร์โค้ดนี้หมดอายุแล้ว",
		"vi":    "Mã QR này đã hết hạn.",
	},
	string(errcode.QRExpired) + ".trust_bundle": {
		"en":    "The list of verified merchants is out of date, so this code cannot be checked.",
		"zh-CN": "已验证商户列表已过期，无法检查此二维码。",
		"ja":    "確認済み加盟店の一覧が古いため、このQRコードを確認できません。",
		"ko":    "인증된 가맹점 목록이 오래되어 이 QR 코드를 확인할 수 없습니다.",
		"ru":    "Список проверенных продавцов устарел, поэтому этот QR-код нельзя проверить.",
		"es":    "La lista de comercios verificados está desactualizada, así que no se puede comprobar este código QR.",
		"pt-BR": "A lista de estabelecimentos verificados está desatualizada, por isso não é possível verificar este QR Code.",
		"de":    "Die Liste der verifizierten Händler ist veraltet, daher kann dieser QR-Code nicht geprüft werden.",
		"fr":    "La liste des commerçants vérifiés n’est plus à jour\u00a0: ce QR code ne peut pas être vérifié.",
		"id":    "Daftar merchant terverifikasi sudah kedaluwarsa, sehingga kode QR ini tidak dapat diperiksa.",
		"th":    "รายชื่อร้านค้าที่ได้รับการยืนยันล้าสมัยแล้ว จึงตรวจสอบคิวอาร์โค้ดนี้ไม่ได้",
		"vi":    "Danh sách người bán đã xác minh đã lỗi thời nên không thể kiểm tra mã QR này.",
	},
	string(errcode.QRReplayed): {
		"en":    "This QR code has already been used.",
		"zh-CN": "此二维码已被使用过。",
		"ja":    "このQRコードはすでに使用されています。",
		"ko":    "이미 사용된 QR 코드입니다.",
		"ru":    "Этот QR-код уже использован.",
		"es":    "Este código QR ya se ha utilizado.",
		"pt-BR": "Este QR Code já foi usado.",
		"de":    "Dieser QR-Code wurde bereits verwendet.",
		"fr":    "Ce QR code a déjà été utilisé.",
		"id":    "Kode QR ini sudah pernah digunakan.",
		"th":    "คิวอาร์โค้ดนี้ถูกใช้ไปแล้ว",
		"vi":    "Mã QR này đã được sử dụng.",
	},
	string(errcode.QRMismatch): {
		"en":    "The QR code does not match this checkout.",
		"zh-CN": "二维码与本次结账信息不符。",
		"ja":    "QRコードの内容がこのお支払いと一致しません。",
		"ko":    "QR 코드가 이 결제 정보와 일치하지 않습니다.",
		"ru":    "QR-код не соответствует этому заказу.",
		"es":    "El código QR no coincide con esta compra.",
		"pt-BR": "O QR Code não corresponde a esta compra.",
		"de":    "Der QR-Code passt nicht zu diesem Einkauf.",
		"fr":    "Le QR code ne correspond pas à cet achat.",
		"id":    "Kode QR tidak sesuai dengan transaksi ini.",
		"th":    "คิวอาร์โค้ดไม่ตรงกับรายการชำระเงินนี้",
		"vi":    "Mã QR không khớp với giao dịch này.",
	},
	string(errcode.QRMismatch) + ".amount": {
		"en":    "The amount does not match your order.",
		"zh-CN": "金额与您的订单不符。",
		"ja":    "金額がご注文と一致しません。",
		"ko":    "금액이 주문과 일치하지 않습니다.",
		"ru":    "Сумма не совпадает с суммой заказа.",
		"es":    "El importe no coincide con tu pedido.",
		"pt-BR": "O valor não corresponde ao seu pedido.",
		"de":    "Der Betrag stimmt nicht mit Ihrer Bestellung überein.",
		"fr":    "Le montant ne correspond pas à votre commande.",
		"id":    "Nominal tidak sesuai dengan pesanan Anda.",
		"th":    "จำนวนเงินไม่ตรงกับคำสั่งซื้อของคุณ",
		"vi":    "Số tiền không khớp với đơn hàng của bạn.",
	},
	string(errcode.QRMismatch) + ".currency": {
		"en":    "The currency does not match your order.",
		"zh-CN": "币种与您的订单不符。",
		"ja":    "通貨がご注文と一致しません。",
		"ko":    "통화가 주문과 일치하지 않습니다.",
		"ru":    "Валюта не совпадает с валютой заказа.",
		"es":    "La moneda no coincide con tu pedido.",
		"pt-BR": "A moeda não corresponde ao seu pedido.",
		"de":    "Die Währung stimmt nicht mit Ihrer Bestellung überein.",
		"fr":    "La devise ne correspond pas à votre commande.",
		"id":    "Mata uang tidak sesuai dengan pesanan Anda.",
		"th":    "สกุลเงินไม่ตรงกับคำสั่งซื้อของคุณ",
		"vi":    "Loại tiền tệ không khớp với đơn hàng của bạn.",
	},
	string(errcode.QRMismatch) + ".payee": {
		"en":    "The payee is not the shop you are buying from.",
		"zh-CN": "收款方不是您正在购物的商家。",
		"ja":    "支払先がご利用中のショップではありません。",
		"ko":    "받는 분이 지금 구매하는 상점이 아닙니다.",
		"ru":    "Получатель — не тот магазин, в котором вы покупаете.",
		"es":    "El destinatario no es la tienda en la que estás comprando.",
		"pt-BR": "O recebedor não é a loja em que você está comprando.",
		"de":    "Der Empfänger ist nicht der Shop, bei dem Sie einkaufen.",
		"fr":    "Le bénéficiaire n’est pas la boutique où vous faites vos achats.",
		"id":    "Penerima bukan toko tempat Anda berbelanja.",
		"th":    "ผู้รับเงินไม่ใช่ร้านค้าที่คุณกำลังซื้อสินค้า",
		"vi":    "Người nhận không phải là cửa hàng bạn đang mua.",
	},
	string(errcode.QRSuspiciousURL): {
		"en":    "The link in this QR code looks suspicious.",
		"zh-CN": "此二维码中的链接看起来可疑。",
		"ja":    "このQRコードのリンクは不審です。",
		"ko":    "이 QR 코드의 링크가 의심스럽습니다.",
		"ru":    "Ссылка в этом QR-коде выглядит подозрительно.",
		"es":    "El enlace de este código QR parece sospechoso.",
		"pt-BR": "O link deste QR Code parece suspeito.",
		"de":    "Der Link in diesem QR-Code wirkt verdächtig.",
		"fr":    "Le lien de ce QR code semble suspect.",
		"id":    "Tautan dalam kode QR ini mencurigakan.",
		"th":    "ลิงก์ในคิวอาร์โค้ดนี้น่าสงสัย",
		"vi":    "Đường liên kết trong mã QR này có dấu hiệu đáng ngờ.",
	},
	string(errcode.Internal): {
		"en":    "The QR code could not be checked. Please try again.",
		"zh-CN": "暂时无法检查此二维码，请重试。",
		"ja":    "QRコードを確認できませんでした。もう一度お試しください。",
		"ko":    "QR 코드를 확인하지 못했습니다. 다시 시도해 주세요.",
		"ru":    "Не удалось проверить QR-код. Попробуйте ещё раз.",
		"es":    "No se pudo comprobar el código QR. Inténtalo de nuevo.",
		"pt-BR": "Não foi possível verificar o QR Code. Tente novamente.",
		"de":    "Der QR-Code konnte nicht geprüft werden. Bitte versuchen Sie es erneut.",
		"fr":    "Impossible de vérifier le QR code. Veuillez réessayer.",
		"id":    "Kode QR tidak dapat diperiksa. Silakan coba lagi.",
		"th":    "ไม่สามารถตรวจสอบคิวอาร์โค้ดได้ โปรดลองอีกครั้ง",
		"vi":    "Không thể kiểm tra mã QR. Vui lòng thử lại.",
	},
}
