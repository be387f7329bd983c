package poster

import "golang.org/x/text/language"

// locale is a language of the poster page.
type locale struct {
	Tag, Name string
}

// locales are the page's languages; the first is the fallback. The
// verdict's own texts (headline, reasons) come from sdk/qr, which speaks
// these and more.
var locales = []locale{
	{"en", "English"}, {"zh-CN", "简体中文"}, {"ja", "日本語"}, {"es", "Español"}, {"pt-BR", "Português (Brasil)"},
}

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(locales))
	for i, l := range locales {
		tags[i] = language.MustParse(l.Tag)
	}
	return language.NewMatcher(tags)
}()

// negotiate picks the page language for ?lang= or Accept-Language.
func negotiate(choice, acceptLanguage string) string {
	for _, l := range locales {
		if l.Tag == choice {
			return l.Tag
		}
	}
	prefs, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	if t, err := language.Parse(choice); choice != "" && err == nil {
		prefs = append([]language.Tag{t}, prefs...)
	}
	if len(prefs) == 0 {
		return locales[0].Tag
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return locales[0].Tag
	}
	return locales[i].Tag
}

// T returns the page string key in lang, falling back to English.
func T(lang, key string) string {
	if s, ok := translations[lang][key]; ok {
		return s
	}
	return translations["en"][key]
}

var clientKeys = []string{
	"checking", "no_code", "camera_error", "camera", "camera_stop", "r_merchant", "r_payee", "r_amount",
	"r_reference", "r_expires", "status_verified", "status_unsigned", "status_rejected", "load_error",
}

func clientStrings(lang string) map[string]string {
	m := make(map[string]string, len(clientKeys))
	for _, k := range clientKeys {
		m[k] = T(lang, k)
	}
	return m
}

var translations = map[string]map[string]string{
	"en": {
		"title":            "Signed QR poster",
		"shop_name":        "Hikari Ceramics",
		"lang_label":       "Language",
		"apply":            "Apply",
		"intro":            "For each order, the shop prints a payment QR code signed with its certified key. Before paying, the shopper's page checks the signature — so a fake sticker over the real code is caught.",
		"poster_heading":   "At the till: the shop's poster",
		"scan_to_pay":      "Scan to pay",
		"order_label":      "Order",
		"tampered_heading": "A tampered copy",
		"tampered_desc":    "Someone changed the amount to {amount} and recomputed the checksum. Any wallet would read it as a valid code.",
		"scan_this":        "Scan this code",
		"own_heading":      "Check a code yourself",
		"upload":           "Choose a photo of a QR code",
		"camera":           "Use the camera",
		"camera_stop":      "Stop the camera",
		"paste_label":      "…or paste the code's text",
		"check":            "Check",
		"result_heading":   "Result",
		"checking":         "Checking…",
		"no_code":          "No QR code was found in this image.",
		"camera_error":     "The camera is not available.",
		"load_error":       "Sealpay could not be loaded.",
		"r_merchant":       "Merchant",
		"r_payee":          "Payee on the code",
		"r_amount":         "Amount",
		"r_reference":      "Order",
		"r_expires":        "Valid until",
		"status_verified":  "Verified",
		"status_unsigned":  "Unsigned",
		"status_rejected":  "Rejected",
		"back_to_shop":     "Back to the online shop",
		"howto":            "How it works: the edge signs each code with the merchant's key, which the registry certified at onboarding. This page checks the code in a sandboxed frame served by the edge, against the registry's signed trust bundle.",
	},
	"zh-CN": {
		"title":            "签名二维码海报",
		"shop_name":        "光窑陶器",
		"lang_label":       "语言",
		"apply":            "确定",
		"intro":            "本店为每笔订单打印一张用认证密钥签名的付款二维码。付款前，顾客的页面会先核验签名——即使有人在真码上贴了假码，也能识破。",
		"poster_heading":   "收银台：本店的海报",
		"scan_to_pay":      "扫码付款",
		"order_label":      "订单号",
		"tampered_heading": "被篡改的副本",
		"tampered_desc":    "有人把金额改成了 {amount}，并重新计算了校验码。任何钱包都会把它当作有效的二维码。",
		"scan_this":        "扫描此二维码",
		"own_heading":      "自行核验二维码",
		"upload":           "选择一张二维码照片",
		"camera":           "使用摄像头",
		"camera_stop":      "关闭摄像头",
		"paste_label":      "……或粘贴二维码的文本内容",
		"check":            "核验",
		"result_heading":   "核验结果",
		"checking":         "正在核验…",
		"no_code":          "这张图片中没有找到二维码。",
		"camera_error":     "无法使用摄像头。",
		"load_error":       "无法加载 Sealpay。",
		"r_merchant":       "商户",
		"r_payee":          "二维码上的收款方",
		"r_amount":         "金额",
		"r_reference":      "订单号",
		"r_expires":        "有效期至",
		"status_verified":  "已验证",
		"status_unsigned":  "未签名",
		"status_rejected":  "已拒绝",
		"back_to_shop":     "返回网店",
		"howto":            "工作原理：边缘服务用商户的密钥为每个二维码签名，该密钥在商户入驻时已由登记机构认证。本页面在边缘服务提供的沙盒框架中，依据登记机构签名的信任包核验二维码。",
	},
	"ja": {
		"title":            "署名付きQRポスター",
		"shop_name":        "ひかり陶房",
		"lang_label":       "言語",
		"apply":            "適用",
		"intro":            "当店はご注文ごとに、認証済みの鍵で署名した支払い用QRコードを印刷します。お客様のページが支払いの前に署名を確認するので、本物の上に貼られた偽のシールも見抜けます。",
		"poster_heading":   "レジ：当店のポスター",
		"scan_to_pay":      "スキャンして支払う",
		"order_label":      "注文番号",
		"tampered_heading": "改ざんされたコピー",
		"tampered_desc":    "何者かが金額を {amount} に書き換え、チェックサムを計算し直しました。どのウォレットも有効なコードとして読み取ります。",
		"scan_this":        "このコードをスキャン",
		"own_heading":      "手元のコードを確認する",
		"upload":           "QRコードの写真を選ぶ",
		"camera":           "カメラを使う",
		"camera_stop":      "カメラを止める",
		"paste_label":      "…またはコードのテキストを貼り付け",
		"check":            "確認",
		"result_heading":   "確認結果",
		"checking":         "確認しています…",
		"no_code":          "この画像からQRコードが見つかりませんでした。",
		"camera_error":     "カメラを使用できません。",
		"load_error":       "Sealpay を読み込めませんでした。",
		"r_merchant":       "加盟店",
		"r_payee":          "コード上の支払先",
		"r_amount":         "金額",
		"r_reference":      "注文番号",
		"r_expires":        "有効期限",
		"status_verified":  "確認済み",
		"status_unsigned":  "署名なし",
		"status_rejected":  "拒否",
		"back_to_shop":     "オンラインストアに戻る",
		"howto":            "仕組み：エッジが加盟店の鍵で各コードに署名します。この鍵は加盟時に登録機関が認証したものです。このページは、エッジが提供するサンドボックス化されたフレームの中で、登録機関が署名したトラストバンドルに照らしてコードを確認します。",
	},
	"es": {
		"title":            "Cartel con QR firmado",
		"shop_name":        "Cerámica Hikari",
		"lang_label":       "Idioma",
		"apply":            "Aplicar",
		"intro":            "Para cada pedido, la tienda imprime un código QR de pago firmado con su clave certificada. Antes de pagar, la página del cliente comprueba la firma, así que se detecta cualquier pegatina falsa puesta sobre el código auténtico.",
		"poster_heading":   "En caja: el cartel de la tienda",
		"scan_to_pay":      "Escanea para pagar",
		"order_label":      "Pedido",
		"tampered_heading": "Una copia manipulada",
		"tampered_desc":    "Alguien cambió el importe a {amount} y volvió a calcular la suma de control. Cualquier billetera lo leería como un código válido.",
		"scan_this":        "Escanear este código",
		"own_heading":      "Comprueba un código tú mismo",
		"upload":           "Elige una foto de un código QR",
		"camera":           "Usar la cámara",
		"camera_stop":      "Detener la cámara",
		"paste_label":      "…o pega el texto del código",
		"check":            "Comprobar",
		"result_heading":   "Resultado",
		"checking":         "Comprobando…",
		"no_code":          "No se ha encontrado ningún código QR en esta imagen.",
		"camera_error":     "La cámara no está disponible.",
		"load_error":       "No se ha podido cargar Sealpay.",
		"r_merchant":       "Comercio",
		"r_payee":          "Destinatario en el código",
		"r_amount":         "Importe",
		"r_reference":      "Pedido",
		"r_expires":        "Válido hasta",
		"status_verified":  "Verificado",
		"status_unsigned":  "Sin firma",
		"status_rejected":  "Rechazado",
		"back_to_shop":     "Volver a la tienda online",
		"howto":            "Cómo funciona: el edge firma cada código con la clave del comercio, que el registro certificó al darlo de alta. Esta página comprueba el código en un marco aislado que sirve el edge, contra el paquete de confianza firmado por el registro.",
	},
	"pt-BR": {
		"title":            "Cartaz com QR Code assinado",
		"shop_name":        "Cerâmica Hikari",
		"lang_label":       "Idioma",
		"apply":            "Aplicar",
		"intro":            "Para cada pedido, a loja imprime um QR Code de pagamento assinado com a sua chave certificada. Antes de pagar, a página do cliente confere a assinatura — assim, um adesivo falso colado sobre o código verdadeiro é descoberto.",
		"poster_heading":   "No caixa: o cartaz da loja",
		"scan_to_pay":      "Escaneie para pagar",
		"order_label":      "Pedido",
		"tampered_heading": "Uma cópia adulterada",
		"tampered_desc":    "Alguém trocou o valor para {amount} e recalculou o dígito verificador. Qualquer carteira digital leria o código como válido.",
		"scan_this":        "Escanear este código",
		"own_heading":      "Confira um código você mesmo",
		"upload":           "Escolha uma foto de um QR Code",
		"camera":           "Usar a câmera",
		"camera_stop":      "Desligar a câmera",
		"paste_label":      "…ou cole o texto do código",
		"check":            "Conferir",
		"result_heading":   "Resultado",
		"checking":         "Conferindo…",
		"no_code":          "Nenhum QR Code foi encontrado nesta imagem.",
		"camera_error":     "A câmera não está disponível.",
		"load_error":       "Não foi possível carregar a Sealpay.",
		"r_merchant":       "Estabelecimento",
		"r_payee":          "Recebedor no código",
		"r_amount":         "Valor",
		"r_reference":      "Pedido",
		"r_expires":        "Válido até",
		"status_verified":  "Verificado",
		"status_unsigned":  "Sem assinatura",
		"status_rejected":  "Recusado",
		"back_to_shop":     "Voltar para a loja on-line",
		"howto":            "Como funciona: o edge assina cada código com a chave do estabelecimento, certificada pelo registro no credenciamento. Esta página confere o código em um quadro isolado servido pelo edge, com base no pacote de confiança assinado pelo registro.",
	},
}
