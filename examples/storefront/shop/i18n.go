package shop

import (
	"golang.org/x/text/language"
)

// Locale is a language the shop is translated into.
type Locale struct {
	// Tag is the BCP 47 tag, also the hosted fields' locale: "pt-BR".
	Tag string
	// Name is the language's name in itself, for the selector.
	Name string
	// Currency is the default currency for shoppers using this language.
	Currency string
}

// Locales are the shop's languages; the first is the fallback.
var Locales = []Locale{
	{Tag: "en", Name: "English", Currency: "USD"},
	{Tag: "zh-CN", Name: "简体中文", Currency: "CNY"},
	{Tag: "ja", Name: "日本語", Currency: "JPY"},
	{Tag: "es", Name: "Español", Currency: "EUR"},
	{Tag: "pt-BR", Name: "Português (Brasil)", Currency: "BRL"},
}

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(Locales))
	for i, l := range Locales {
		tags[i] = language.MustParse(l.Tag)
	}
	return language.NewMatcher(tags)
}()

// LocaleByTag returns the shop locale with exactly this tag.
func LocaleByTag(tag string) (Locale, bool) {
	for _, l := range Locales {
		if l.Tag == tag {
			return l, true
		}
	}
	return Locale{}, false
}

// NegotiateLocale picks the shop locale for an explicit choice (a ?lang=
// value) or else an Accept-Language header, falling back to English.
func NegotiateLocale(choice, acceptLanguage string) Locale {
	if l, ok := LocaleByTag(choice); ok {
		return l
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if choice != "" {
		if t, err := language.Parse(choice); err == nil {
			prefs = append([]language.Tag{t}, prefs...)
		}
	}
	if err != nil && len(prefs) == 0 {
		return Locales[0]
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return Locales[0]
	}
	return Locales[i]
}

// T returns the translation of key in locale tag, falling back to English.
// Placeholders such as {amount} are filled in by the caller.
func T(tag, key string) string {
	if s, ok := translations[tag][key]; ok {
		return s
	}
	return translations["en"][key]
}

// clientKeys are the strings the page's script needs (receipt, errors).
var clientKeys = []string{
	"pay", "paying", "pay_again", "receipt_heading", "r_order", "r_amount", "r_card",
	"r_auth", "r_fingerprint", "r_saved", "r_same", "r_paid_saved", "r_already_saved", "new_order",
	"err_declined", "err_insufficient", "err_expired", "err_cvc", "err_number",
	"err_generic", "err_incomplete", "forgotten", "loading",
}

// clientStrings returns the strings the page's script needs in tag.
func clientStrings(tag string) map[string]string {
	m := make(map[string]string, len(clientKeys))
	for _, k := range clientKeys {
		m[k] = T(tag, k)
	}
	return m
}

// translations holds every string of the shop, by locale and key. The
// wording is native, not word-for-word: Japanese uses the polite register
// of shop pages, Spanish and Portuguese the informal "tú"/"você" that
// online shops use, Chinese the mainland conventions (银行卡, 安全码).
var translations = map[string]map[string]string{
	"en": {
		"shop_name":        "Hikari Ceramics",
		"lang_label":       "Language",
		"currency_label":   "Currency",
		"apply":            "Apply",
		"demo_banner":      "Demo store in test mode: no money moves. Use a test card such as 4242 4242 4242 4242 with any future expiry date and any security code.",
		"product_name":     "Hand-thrown matcha bowl",
		"product_desc":     "A Shigaraki stoneware tea bowl, glazed by hand one piece at a time.",
		"price_note":       "Free shipping worldwide.",
		"card_heading":     "Pay by card",
		"card_help":        "You type your card details into a secure form from Sealpay, and they are encrypted in your browser. This shop only ever receives a token.",
		"save_card":        "Save this card for next time",
		"pay":              "Pay {amount}",
		"paying":           "Processing…",
		"loading":          "Loading the secure card form…",
		"pay_again":        "Pay again with {card}",
		"saved_heading":    "Your saved card",
		"forget":           "Forget this card",
		"forgotten":        "The card was removed.",
		"receipt_heading":  "Thank you! Your payment was approved",
		"r_order":          "Order",
		"r_amount":         "Amount",
		"r_card":           "Card",
		"r_auth":           "Authorization code",
		"r_fingerprint":    "Card fingerprint",
		"r_saved":          "Your card is saved for your next order.",
		"r_already_saved":  "This card was already saved: the fingerprint matches.",
		"r_same":           "Same card as last time: the fingerprint matches.",
		"r_paid_saved":     "Paid with your saved card.",
		"new_order":        "Place another order",
		"qr_link":          "Paying in our shop? Check our signed QR poster",
		"err_declined":     "Your card was declined. Please try another card.",
		"err_insufficient": "Your card has insufficient funds.",
		"err_expired":      "Your card has expired.",
		"err_cvc":          "The security code is incorrect.",
		"err_number":       "The card number is not valid.",
		"err_generic":      "The payment did not go through. Please try again.",
		"err_incomplete":   "Please complete your card details.",
		"footer":           "The card form is served by the Sealpay edge in a separate frame; this page runs under a strict Content-Security-Policy.",
	},
	"zh-CN": {
		"shop_name":        "光窑陶器",
		"lang_label":       "语言",
		"currency_label":   "币种",
		"apply":            "确定",
		"demo_banner":      "演示商店，测试模式，不会产生真实扣款。请使用测试卡号，例如 4242 4242 4242 4242，有效期填写任意未来日期，安全码任意。",
		"product_name":     "手工拉坯抹茶碗",
		"product_desc":     "日本信乐烧炻器茶碗，匠人逐一手工施釉。",
		"price_note":       "全球免运费。",
		"card_heading":     "银行卡支付",
		"card_help":        "您的卡信息填写在 Sealpay 提供的安全表单中，并在浏览器内完成加密。本店只会收到一个令牌，不会接触您的卡号。",
		"save_card":        "保存此卡，下次付款更便捷",
		"pay":              "支付 {amount}",
		"paying":           "正在处理…",
		"loading":          "正在加载安全支付表单…",
		"pay_again":        "使用 {card} 再次支付",
		"saved_heading":    "已保存的卡",
		"forget":           "删除此卡",
		"forgotten":        "已删除这张卡。",
		"receipt_heading":  "谢谢！支付成功",
		"r_order":          "订单号",
		"r_amount":         "金额",
		"r_card":           "银行卡",
		"r_auth":           "授权码",
		"r_fingerprint":    "卡指纹",
		"r_saved":          "此卡已保存，下次下单可直接使用。",
		"r_already_saved":  "这张卡之前已保存过：卡指纹一致。",
		"r_same":           "与上次是同一张卡：卡指纹一致。",
		"r_paid_saved":     "已使用您保存的卡付款。",
		"new_order":        "再下一单",
		"qr_link":          "到店付款？请查看我们的签名二维码海报",
		"err_declined":     "您的卡被拒绝，请换一张卡再试。",
		"err_insufficient": "卡内余额不足。",
		"err_expired":      "您的卡已过期。",
		"err_cvc":          "安全码不正确。",
		"err_number":       "卡号无效。",
		"err_generic":      "支付未成功，请重试。",
		"err_incomplete":   "请填写完整的卡信息。",
		"footer":           "银行卡表单由 Sealpay 边缘服务在独立框架中提供；本页面在严格的内容安全策略（CSP）下运行。",
	},
	"ja": {
		"shop_name":        "ひかり陶房",
		"lang_label":       "言語",
		"currency_label":   "通貨",
		"apply":            "適用",
		"demo_banner":      "テストモードのデモストアです。実際の請求は発生しません。4242 4242 4242 4242 などのテストカードに、未来の任意の有効期限と任意のセキュリティコードを入力してください。",
		"product_name":     "手びねりの抹茶碗",
		"product_desc":     "信楽焼の炻器の茶碗。職人が一つひとつ手作業で釉薬をかけています。",
		"price_note":       "全世界送料無料。",
		"card_heading":     "カードで支払う",
		"card_help":        "カード情報は Sealpay の安全な入力フォームに入力され、ブラウザ内で暗号化されます。当店が受け取るのはトークンのみです。",
		"save_card":        "次回のためにこのカードを保存する",
		"pay":              "{amount} を支払う",
		"paying":           "処理中…",
		"loading":          "安全な入力フォームを読み込んでいます…",
		"pay_again":        "{card} でもう一度支払う",
		"saved_heading":    "保存済みのカード",
		"forget":           "このカードを削除",
		"forgotten":        "カードを削除しました。",
		"receipt_heading":  "ありがとうございます。お支払いが完了しました",
		"r_order":          "注文番号",
		"r_amount":         "金額",
		"r_card":           "カード",
		"r_auth":           "承認番号",
		"r_fingerprint":    "カードのフィンガープリント",
		"r_saved":          "次回のご注文のためにカードを保存しました。",
		"r_already_saved":  "このカードはすでに保存されています（フィンガープリントが一致）。",
		"r_same":           "前回と同じカードです（フィンガープリントが一致）。",
		"r_paid_saved":     "保存済みのカードでお支払いいただきました。",
		"new_order":        "続けて注文する",
		"qr_link":          "店頭でお支払いの方は、署名付きQRポスターをご確認ください",
		"err_declined":     "カードが承認されませんでした。別のカードをお試しください。",
		"err_insufficient": "カードの利用可能額が不足しています。",
		"err_expired":      "カードの有効期限が切れています。",
		"err_cvc":          "セキュリティコードが正しくありません。",
		"err_number":       "カード番号が正しくありません。",
		"err_generic":      "お支払いを完了できませんでした。もう一度お試しください。",
		"err_incomplete":   "カード情報をすべて入力してください。",
		"footer":           "カード入力フォームは Sealpay エッジが別フレームで提供しています。このページは厳格なコンテンツセキュリティポリシー（CSP）のもとで動作しています。",
	},
	"es": {
		"shop_name":        "Cerámica Hikari",
		"lang_label":       "Idioma",
		"currency_label":   "Moneda",
		"apply":            "Aplicar",
		"demo_banner":      "Tienda de demostración en modo de prueba: no se cobra nada. Usa una tarjeta de prueba como 4242 4242 4242 4242, con cualquier fecha de caducidad futura y cualquier código de seguridad.",
		"product_name":     "Cuenco de matcha hecho a mano",
		"product_desc":     "Cuenco de gres de Shigaraki, esmaltado a mano pieza a pieza.",
		"price_note":       "Envío gratuito a todo el mundo.",
		"card_heading":     "Pagar con tarjeta",
		"card_help":        "Introduces los datos de tu tarjeta en un formulario seguro de Sealpay y se cifran en tu navegador. Esta tienda solo recibe un token.",
		"save_card":        "Guardar esta tarjeta para la próxima vez",
		"pay":              "Pagar {amount}",
		"paying":           "Procesando…",
		"loading":          "Cargando el formulario seguro de pago…",
		"pay_again":        "Volver a pagar con {card}",
		"saved_heading":    "Tu tarjeta guardada",
		"forget":           "Olvidar esta tarjeta",
		"forgotten":        "Se ha eliminado la tarjeta.",
		"receipt_heading":  "¡Gracias! Tu pago se ha aprobado",
		"r_order":          "Pedido",
		"r_amount":         "Importe",
		"r_card":           "Tarjeta",
		"r_auth":           "Código de autorización",
		"r_fingerprint":    "Huella de la tarjeta",
		"r_saved":          "Hemos guardado tu tarjeta para tu próximo pedido.",
		"r_already_saved":  "Esta tarjeta ya estaba guardada: la huella coincide.",
		"r_same":           "Es la misma tarjeta que la última vez: la huella coincide.",
		"r_paid_saved":     "Pagado con tu tarjeta guardada.",
		"new_order":        "Hacer otro pedido",
		"qr_link":          "¿Vas a pagar en la tienda? Consulta nuestro cartel con código QR firmado",
		"err_declined":     "Tu tarjeta ha sido rechazada. Prueba con otra tarjeta.",
		"err_insufficient": "La tarjeta no tiene saldo suficiente.",
		"err_expired":      "Tu tarjeta ha caducado.",
		"err_cvc":          "El código de seguridad no es correcto.",
		"err_number":       "El número de tarjeta no es válido.",
		"err_generic":      "No se ha podido completar el pago. Inténtalo de nuevo.",
		"err_incomplete":   "Completa los datos de tu tarjeta.",
		"footer":           "El formulario de tarjeta lo sirve el edge de Sealpay en un marco aparte; esta página funciona con una política de seguridad de contenido (CSP) estricta.",
	},
	"pt-BR": {
		"shop_name":        "Cerâmica Hikari",
		"lang_label":       "Idioma",
		"currency_label":   "Moeda",
		"apply":            "Aplicar",
		"demo_banner":      "Loja de demonstração em modo de teste: nenhuma cobrança é feita. Use um cartão de teste como 4242 4242 4242 4242, com qualquer validade futura e qualquer código de segurança.",
		"product_name":     "Tigela de matcha feita à mão",
		"product_desc":     "Tigela de grés de Shigaraki, esmaltada à mão peça por peça.",
		"price_note":       "Frete grátis para todo o mundo.",
		"card_heading":     "Pagar com cartão",
		"card_help":        "Você digita os dados do cartão em um formulário seguro da Sealpay, e eles são criptografados no seu navegador. Esta loja recebe apenas um token.",
		"save_card":        "Salvar este cartão para a próxima compra",
		"pay":              "Pagar {amount}",
		"paying":           "Processando…",
		"loading":          "Carregando o formulário seguro de pagamento…",
		"pay_again":        "Pagar de novo com {card}",
		"saved_heading":    "Seu cartão salvo",
		"forget":           "Esquecer este cartão",
		"forgotten":        "O cartão foi removido.",
		"receipt_heading":  "Obrigado! Seu pagamento foi aprovado",
		"r_order":          "Pedido",
		"r_amount":         "Valor",
		"r_card":           "Cartão",
		"r_auth":           "Código de autorização",
		"r_fingerprint":    "Impressão digital do cartão",
		"r_saved":          "Seu cartão foi salvo para o próximo pedido.",
		"r_already_saved":  "Este cartão já estava salvo: a impressão digital confere.",
		"r_same":           "É o mesmo cartão da última vez: a impressão digital confere.",
		"r_paid_saved":     "Pago com o seu cartão salvo.",
		"new_order":        "Fazer outro pedido",
		"qr_link":          "Vai pagar na loja? Confira nosso cartaz com QR Code assinado",
		"err_declined":     "Seu cartão foi recusado. Tente outro cartão.",
		"err_insufficient": "O cartão não tem saldo suficiente.",
		"err_expired":      "Seu cartão está vencido.",
		"err_cvc":          "O código de segurança está incorreto.",
		"err_number":       "O número do cartão é inválido.",
		"err_generic":      "Não foi possível concluir o pagamento. Tente novamente.",
		"err_incomplete":   "Preencha todos os dados do cartão.",
		"footer":           "O formulário do cartão é servido pelo edge da Sealpay em um quadro separado; esta página roda sob uma política de segurança de conteúdo (CSP) rígida.",
	},
}
