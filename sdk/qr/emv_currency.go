package qr

// currencyAlpha maps an ISO 4217 numeric currency code, as carried in ID
// "53", to its alphabetic code. The table is the ISO 4217 list as published
// in the iso-codes project (Debian package iso-codes 4.15.0, data file
// iso_4217.json), including fund and precious-metal codes.
func currencyAlpha(numeric string) string {
	switch numeric {
	case "008":
		return "ALL" // Lek
	case "012":
		return "DZD" // Algerian Dinar
	case "032":
		return "ARS" // Argentine Peso
	case "036":
		return "AUD" // Australian Dollar
	case "044":
		return "BSD" // Bahamian Dollar
	case "048":
		return "BHD" // Bahraini Dinar
	case "050":
		return "BDT" // Taka
	case "051":
		return "AMD" // Armenian Dram
	case "052":
		return "BBD" // Barbados Dollar
	case "060":
		return "BMD" // Bermudian Dollar
	case "064":
		return "BTN" // Ngultrum
	case "068":
		return "BOB" // Boliviano
	case "072":
		return "BWP" // Pula
	case "084":
		return "BZD" // Belize Dollar
	case "090":
		return "SBD" // Solomon Islands Dollar
	case "096":
		return "BND" // Brunei Dollar
	case "104":
		return "MMK" // Kyat
	case "108":
		return "BIF" // Burundi Franc
	case "116":
		return "KHR" // Riel
	case "124":
		return "CAD" // Canadian Dollar
	case "132":
		return "CVE" // Cabo Verde Escudo
	case "136":
		return "KYD" // Cayman Islands Dollar
	case "144":
		return "LKR" // Sri Lanka Rupee
	case "152":
		return "CLP" // Chilean Peso
	case "156":
		return "CNY" // Yuan Renminbi
	case "170":
		return "COP" // Colombian Peso
	case "174":
		return "KMF" // Comorian Franc
	case "188":
		return "CRC" // Costa Rican Colon
	case "191":
		return "HRK" // Kuna
	case "192":
		return "CUP" // Cuban Peso
	case "203":
		return "CZK" // Czech Koruna
	case "208":
		return "DKK" // Danish Krone
	case "214":
		return "DOP" // Dominican Peso
	case "222":
		return "SVC" // El Salvador Colon
	case "230":
		return "ETB" // Ethiopian Birr
	case "232":
		return "ERN" // Nakfa
	case "238":
		return "FKP" // Falkland Islands Pound
	case "242":
		return "FJD" // Fiji Dollar
	case "262":
		return "DJF" // Djibouti Franc
	case "270":
		return "GMD" // Dalasi
	case "292":
		return "GIP" // Gibraltar Pound
	case "320":
		return "GTQ" // Quetzal
	case "324":
		return "GNF" // Guinean Franc
	case "328":
		return "GYD" // Guyana Dollar
	case "332":
		return "HTG" // Gourde
	case "340":
		return "HNL" // Lempira
	case "344":
		return "HKD" // Hong Kong Dollar
	case "348":
		return "HUF" // Forint
	case "352":
		return "ISK" // Iceland Krona
	case "356":
		return "INR" // Indian Rupee
	case "360":
		return "IDR" // Rupiah
	case "364":
		return "IRR" // Iranian Rial
	case "368":
		return "IQD" // Iraqi Dinar
	case "376":
		return "ILS" // New Israeli Sheqel
	case "388":
		return "JMD" // Jamaican Dollar
	case "392":
		return "JPY" // Yen
	case "398":
		return "KZT" // Tenge
	case "400":
		return "JOD" // Jordanian Dinar
	case "404":
		return "KES" // Kenyan Shilling
	case "408":
		return "KPW" // North Korean Won
	case "410":
		return "KRW" // Won
	case "414":
		return "KWD" // Kuwaiti Dinar
	case "417":
		return "KGS" // Som
	case "418":
		return "LAK" // Lao Kip
	case "422":
		return "LBP" // Lebanese Pound
	case "426":
		return "LSL" // Loti
	case "430":
		return "LRD" // Liberian Dollar
	case "434":
		return "LYD" // Libyan Dinar
	case "446":
		return "MOP" // Pataca
	case "454":
		return "MWK" // Malawi Kwacha
	case "458":
		return "MYR" // Malaysian Ringgit
	case "462":
		return "MVR" // Rufiyaa
	case "480":
		return "MUR" // Mauritius Rupee
	case "484":
		return "MXN" // Mexican Peso
	case "496":
		return "MNT" // Tugrik
	case "498":
		return "MDL" // Moldovan Leu
	case "504":
		return "MAD" // Moroccan Dirham
	case "512":
		return "OMR" // Rial Omani
	case "516":
		return "NAD" // Namibia Dollar
	case "524":
		return "NPR" // Nepalese Rupee
	case "532":
		return "ANG" // Netherlands Antillean Guilder
	case "533":
		return "AWG" // Aruban Florin
	case "548":
		return "VUV" // Vatu
	case "554":
		return "NZD" // New Zealand Dollar
	case "558":
		return "NIO" // Cordoba Oro
	case "566":
		return "NGN" // Naira
	case "578":
		return "NOK" // Norwegian Krone
	case "586":
		return "PKR" // Pakistan Rupee
	case "590":
		return "PAB" // Balboa
	case "598":
		return "PGK" // Kina
	case "600":
		return "PYG" // Guarani
	case "604":
		return "PEN" // Sol
	case "608":
		return "PHP" // Philippine Peso
	case "634":
		return "QAR" // Qatari Rial
	case "643":
		return "RUB" // Russian Ruble
	case "646":
		return "RWF" // Rwanda Franc
	case "654":
		return "SHP" // Saint Helena Pound
	case "682":
		return "SAR" // Saudi Riyal
	case "690":
		return "SCR" // Seychelles Rupee
	case "694":
		return "SLL" // Leone
	case "702":
		return "SGD" // Singapore Dollar
	case "704":
		return "VND" // Dong
	case "706":
		return "SOS" // Somali Shilling
	case "710":
		return "ZAR" // Rand
	case "728":
		return "SSP" // South Sudanese Pound
	case "748":
		return "SZL" // Lilangeni
	case "752":
		return "SEK" // Swedish Krona
	case "756":
		return "CHF" // Swiss Franc
	case "760":
		return "SYP" // Syrian Pound
	case "764":
		return "THB" // Baht
	case "776":
		return "TOP" // Pa’anga
	case "780":
		return "TTD" // Trinidad and Tobago Dollar
	case "784":
		return "AED" // UAE Dirham
	case "788":
		return "TND" // Tunisian Dinar
	case "800":
		return "UGX" // Uganda Shilling
	case "807":
		return "MKD" // Denar
	case "818":
		return "EGP" // Egyptian Pound
	case "826":
		return "GBP" // Pound Sterling
	case "834":
		return "TZS" // Tanzanian Shilling
	case "840":
		return "USD" // US Dollar
	case "858":
		return "UYU" // Peso Uruguayo
	case "860":
		return "UZS" // Uzbekistan Sum
	case "882":
		return "WST" // Tala
	case "886":
		return "YER" // Yemeni Rial
	case "901":
		return "TWD" // New Taiwan Dollar
	case "925":
		return "SLE" // Leone
	case "926":
		return "VED" // Bolívar Soberano
	case "927":
		return "UYW" // Unidad Previsional
	case "928":
		return "VES" // Bolívar Soberano
	case "929":
		return "MRU" // Ouguiya
	case "930":
		return "STN" // Dobra
	case "931":
		return "CUC" // Peso Convertible
	case "932":
		return "ZWL" // Zimbabwe Dollar
	case "933":
		return "BYN" // Belarusian Ruble
	case "934":
		return "TMT" // Turkmenistan New Manat
	case "936":
		return "GHS" // Ghana Cedi
	case "938":
		return "SDG" // Sudanese Pound
	case "940":
		return "UYI" // Uruguay Peso en Unidades Indexadas (UI)
	case "941":
		return "RSD" // Serbian Dinar
	case "943":
		return "MZN" // Mozambique Metical
	case "944":
		return "AZN" // Azerbaijan Manat
	case "946":
		return "RON" // Romanian Leu
	case "947":
		return "CHE" // WIR Euro
	case "948":
		return "CHW" // WIR Franc
	case "949":
		return "TRY" // Turkish Lira
	case "950":
		return "XAF" // CFA Franc BEAC
	case "951":
		return "XCD" // East Caribbean Dollar
	case "952":
		return "XOF" // CFA Franc BCEAO
	case "953":
		return "XPF" // CFP Franc
	case "955":
		return "XBA" // Bond Markets Unit European Composite Unit (EURCO)
	case "956":
		return "XBB" // Bond Markets Unit European Monetary Unit (E.M.U.-6)
	case "957":
		return "XBC" // Bond Markets Unit European Unit of Account 9 (E.U.A.-9)
	case "958":
		return "XBD" // Bond Markets Unit European Unit of Account 17 (E.U.A.-17)
	case "959":
		return "XAU" // Gold
	case "960":
		return "XDR" // SDR (Special Drawing Right)
	case "961":
		return "XAG" // Silver
	case "962":
		return "XPT" // Platinum
	case "963":
		return "XTS" // Codes specifically reserved for testing purposes
	case "964":
		return "XPD" // Palladium
	case "965":
		return "XUA" // ADB Unit of Account
	case "967":
		return "ZMW" // Zambian Kwacha
	case "968":
		return "SRD" // Surinam Dollar
	case "969":
		return "MGA" // Malagasy Ariary
	case "970":
		return "COU" // Unidad de Valor Real
	case "971":
		return "AFN" // Afghani
	case "972":
		return "TJS" // Somoni
	case "973":
		return "AOA" // Kwanza
	case "975":
		return "BGN" // Bulgarian Lev
	case "976":
		return "CDF" // Congolese Franc
	case "977":
		return "BAM" // Convertible Mark
	case "978":
		return "EUR" // Euro
	case "979":
		return "MXV" // Mexican Unidad de Inversion (UDI)
	case "980":
		return "UAH" // Hryvnia
	case "981":
		return "GEL" // Lari
	case "984":
		return "BOV" // Mvdol
	case "985":
		return "PLN" // Zloty
	case "986":
		return "BRL" // Brazilian Real
	case "990":
		return "CLF" // Unidad de Fomento
	case "994":
		return "XSU" // Sucre
	case "997":
		return "USN" // US Dollar (Next day)
	case "999":
		return "XXX" // The codes assigned for transactions where no currency is involved
	}
	return ""
}
