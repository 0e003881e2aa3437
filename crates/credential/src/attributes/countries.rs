//! Countries: ISO 3166-1 alpha-3 codes and the INSEE codes of the Code officiel
//! géographique (COG) for foreign countries and territories ("99xxx"), which
//! FranceConnect uses for `birthcountry`.
//!
//! Source of the INSEE codes: INSEE, COG, "pays et territoires étrangers" (data under
//! the Licence Ouverte 2.0). Territories without a code of their own carry the code of
//! the country INSEE attaches them to, as INSEE does. Names are upper-case ASCII
//! (accents removed, punctuation as spaces) in French and English, for matching a
//! place of birth printed on a document.

/// A foreign country or territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub alpha3: &'static str,
    pub insee: &'static str,
    pub names: &'static [&'static str],
}

/// INSEE COG code of France, as FranceConnect uses it for `birthcountry`.
pub const FRANCE_INSEE: &str = "99100";

pub(crate) const COUNTRIES: &[Country] = &[
    Country {
        alpha3: "AND",
        insee: "99130",
        names: &["ANDORRE", "ANDORRA"],
    },
    Country {
        alpha3: "ARE",
        insee: "99247",
        names: &["EMIRATS ARABES UNIS", "UNITED ARAB EMIRATES", "UAE"],
    },
    Country {
        alpha3: "AFG",
        insee: "99212",
        names: &["AFGHANISTAN"],
    },
    Country {
        alpha3: "ATG",
        insee: "99441",
        names: &["ANTIGUA ET BARBUDA", "ANTIGUA AND BARBUDA"],
    },
    Country {
        alpha3: "AIA",
        insee: "99425",
        names: &["ANGUILLA"],
    },
    Country {
        alpha3: "ALB",
        insee: "99125",
        names: &["ALBANIE", "ALBANIA"],
    },
    Country {
        alpha3: "ARM",
        insee: "99252",
        names: &["ARMENIE", "ARMENIA"],
    },
    Country {
        alpha3: "AGO",
        insee: "99395",
        names: &["ANGOLA"],
    },
    Country {
        alpha3: "ARG",
        insee: "99415",
        names: &["ARGENTINE", "ARGENTINA"],
    },
    Country {
        alpha3: "ASM",
        insee: "99505",
        names: &["SAMOA AMERICAINES", "AMERICAN SAMOA"],
    },
    Country {
        alpha3: "AUT",
        insee: "99110",
        names: &["AUTRICHE", "AUSTRIA"],
    },
    Country {
        alpha3: "AUS",
        insee: "99501",
        names: &["AUSTRALIE", "AUSTRALIA"],
    },
    Country {
        alpha3: "ABW",
        insee: "99135",
        names: &["ARUBA"],
    },
    Country {
        alpha3: "AZE",
        insee: "99253",
        names: &["AZERBAIDJAN", "AZERBAIJAN"],
    },
    Country {
        alpha3: "BIH",
        insee: "99118",
        names: &["BOSNIE HERZEGOVINE", "BOSNIA AND HERZEGOVINA"],
    },
    Country {
        alpha3: "BRB",
        insee: "99434",
        names: &["BARBADE", "BARBADOS"],
    },
    Country {
        alpha3: "BGD",
        insee: "99246",
        names: &["BANGLADESH"],
    },
    Country {
        alpha3: "BEL",
        insee: "99131",
        names: &["BELGIQUE", "BELGIUM"],
    },
    Country {
        alpha3: "BFA",
        insee: "99331",
        names: &["BURKINA", "BURKINA FASO"],
    },
    Country {
        alpha3: "BGR",
        insee: "99111",
        names: &["BULGARIE", "BULGARIA"],
    },
    Country {
        alpha3: "BHR",
        insee: "99249",
        names: &["BAHREIN", "BAHRAIN"],
    },
    Country {
        alpha3: "BDI",
        insee: "99321",
        names: &["BURUNDI"],
    },
    Country {
        alpha3: "BEN",
        insee: "99327",
        names: &["BENIN"],
    },
    Country {
        alpha3: "BMU",
        insee: "99425",
        names: &["BERMUDES", "BERMUDA"],
    },
    Country {
        alpha3: "BRN",
        insee: "99225",
        names: &["BRUNEI", "BRUNEI DARUSSALAM"],
    },
    Country {
        alpha3: "BOL",
        insee: "99418",
        names: &["BOLIVIE", "BOLIVIA"],
    },
    Country {
        alpha3: "BES",
        insee: "99443",
        names: &[
            "BONAIRE SAINT EUSTACHE ET SABA",
            "BONAIRE SINT EUSTATIUS AND SABA",
        ],
    },
    Country {
        alpha3: "BRA",
        insee: "99416",
        names: &["BRESIL", "BRAZIL"],
    },
    Country {
        alpha3: "BHS",
        insee: "99436",
        names: &["BAHAMAS"],
    },
    Country {
        alpha3: "BTN",
        insee: "99214",
        names: &["BHOUTAN", "BHUTAN"],
    },
    Country {
        alpha3: "BWA",
        insee: "99347",
        names: &["BOTSWANA"],
    },
    Country {
        alpha3: "BLR",
        insee: "99148",
        names: &["BIELORUSSIE", "BELARUS"],
    },
    Country {
        alpha3: "BLZ",
        insee: "99429",
        names: &["BELIZE"],
    },
    Country {
        alpha3: "CAN",
        insee: "99401",
        names: &["CANADA"],
    },
    Country {
        alpha3: "CCK",
        insee: "99501",
        names: &["COCOS ILES", "COCOS KEELING ISLANDS"],
    },
    Country {
        alpha3: "COD",
        insee: "99312",
        names: &[
            "CONGO REPUBLIQUE DEMOCRATIQUE",
            "REPUBLIQUE DEMOCRATIQUE DU CONGO",
            "DEMOCRATIC REPUBLIC OF THE CONGO",
        ],
    },
    Country {
        alpha3: "CAF",
        insee: "99323",
        names: &[
            "CENTRAFRIQUE",
            "REPUBLIQUE CENTRAFRICAINE",
            "CENTRAL AFRICAN REPUBLIC",
        ],
    },
    Country {
        alpha3: "COG",
        insee: "99324",
        names: &["CONGO"],
    },
    Country {
        alpha3: "CHE",
        insee: "99140",
        names: &["SUISSE", "SWITZERLAND"],
    },
    Country {
        alpha3: "CIV",
        insee: "99326",
        names: &["COTE D IVOIRE", "IVORY COAST"],
    },
    Country {
        alpha3: "COK",
        insee: "99502",
        names: &["COOK ILES", "COOK ISLANDS"],
    },
    Country {
        alpha3: "CHL",
        insee: "99417",
        names: &["CHILI", "CHILE"],
    },
    Country {
        alpha3: "CMR",
        insee: "99322",
        names: &["CAMEROUN", "CAMEROON"],
    },
    Country {
        alpha3: "CHN",
        insee: "99216",
        names: &["CHINE", "CHINA"],
    },
    Country {
        alpha3: "COL",
        insee: "99419",
        names: &["COLOMBIE", "COLOMBIA"],
    },
    Country {
        alpha3: "CRI",
        insee: "99406",
        names: &["COSTA RICA"],
    },
    Country {
        alpha3: "CUB",
        insee: "99407",
        names: &["CUBA"],
    },
    Country {
        alpha3: "CPV",
        insee: "99396",
        names: &["CAP VERT", "CABO VERDE", "CAPE VERDE"],
    },
    Country {
        alpha3: "CUW",
        insee: "99444",
        names: &["CURACAO"],
    },
    Country {
        alpha3: "CXR",
        insee: "99501",
        names: &["CHRISTMAS ILE", "CHRISTMAS ISLAND"],
    },
    Country {
        alpha3: "CYP",
        insee: "99254",
        names: &["CHYPRE", "CYPRUS"],
    },
    Country {
        alpha3: "CZE",
        insee: "99116",
        names: &[
            "TCHEQUIE",
            "REPUBLIQUE TCHEQUE",
            "CZECHIA",
            "CZECH REPUBLIC",
        ],
    },
    Country {
        alpha3: "DEU",
        insee: "99109",
        names: &["ALLEMAGNE", "GERMANY", "DEUTSCHLAND"],
    },
    Country {
        alpha3: "DJI",
        insee: "99399",
        names: &["DJIBOUTI"],
    },
    Country {
        alpha3: "DNK",
        insee: "99101",
        names: &["DANEMARK", "DENMARK"],
    },
    Country {
        alpha3: "DMA",
        insee: "99438",
        names: &["DOMINIQUE", "DOMINICA"],
    },
    Country {
        alpha3: "DOM",
        insee: "99408",
        names: &[
            "REPUBLIQUE DOMINICAINE",
            "DOMINICAINE REPUBLIQUE",
            "DOMINICAN REPUBLIC",
        ],
    },
    Country {
        alpha3: "DZA",
        insee: "99352",
        names: &["ALGERIE", "ALGERIA"],
    },
    Country {
        alpha3: "ECU",
        insee: "99420",
        names: &["EQUATEUR", "ECUADOR"],
    },
    Country {
        alpha3: "EST",
        insee: "99106",
        names: &["ESTONIE", "ESTONIA"],
    },
    Country {
        alpha3: "EGY",
        insee: "99301",
        names: &["EGYPTE", "EGYPT"],
    },
    Country {
        alpha3: "ESH",
        insee: "99389",
        names: &["SAHARA OCCIDENTAL", "WESTERN SAHARA"],
    },
    Country {
        alpha3: "ERI",
        insee: "99317",
        names: &["ERYTHREE", "ERITREA"],
    },
    Country {
        alpha3: "ESP",
        insee: "99134",
        names: &["ESPAGNE", "SPAIN", "ESPANA"],
    },
    Country {
        alpha3: "ETH",
        insee: "99315",
        names: &["ETHIOPIE", "ETHIOPIA"],
    },
    Country {
        alpha3: "FIN",
        insee: "99105",
        names: &["FINLANDE", "FINLAND"],
    },
    Country {
        alpha3: "FJI",
        insee: "99508",
        names: &["FIDJI", "FIJI"],
    },
    Country {
        alpha3: "FLK",
        insee: "99427",
        names: &["MALOUINES ILES", "FALKLAND ISLANDS"],
    },
    Country {
        alpha3: "FSM",
        insee: "99516",
        names: &["MICRONESIE", "MICRONESIA"],
    },
    Country {
        alpha3: "FRO",
        insee: "99101",
        names: &["FEROE ILES", "FAROE ISLANDS"],
    },
    Country {
        alpha3: "GAB",
        insee: "99328",
        names: &["GABON"],
    },
    Country {
        alpha3: "GBR",
        insee: "99132",
        names: &[
            "ROYAUME UNI",
            "UNITED KINGDOM",
            "GREAT BRITAIN",
            "ENGLAND",
            "SCOTLAND",
            "WALES",
            "NORTHERN IRELAND",
            "ANGLETERRE",
            "ECOSSE",
            "PAYS DE GALLES",
        ],
    },
    Country {
        alpha3: "GRD",
        insee: "99435",
        names: &["GRENADE", "GRENADA"],
    },
    Country {
        alpha3: "GEO",
        insee: "99255",
        names: &["GEORGIE", "GEORGIA"],
    },
    Country {
        alpha3: "GGY",
        insee: "99132",
        names: &["GUERNESEY", "GUERNSEY"],
    },
    Country {
        alpha3: "GHA",
        insee: "99329",
        names: &["GHANA"],
    },
    Country {
        alpha3: "GIB",
        insee: "99133",
        names: &["GIBRALTAR"],
    },
    Country {
        alpha3: "GRL",
        insee: "99430",
        names: &["GROENLAND", "GREENLAND"],
    },
    Country {
        alpha3: "GMB",
        insee: "99304",
        names: &["GAMBIE", "GAMBIA"],
    },
    Country {
        alpha3: "GIN",
        insee: "99330",
        names: &["GUINEE", "GUINEA"],
    },
    Country {
        alpha3: "GNQ",
        insee: "99314",
        names: &["GUINEE EQUATORIALE", "EQUATORIAL GUINEA"],
    },
    Country {
        alpha3: "GRC",
        insee: "99126",
        names: &["GRECE", "GREECE"],
    },
    Country {
        alpha3: "GTM",
        insee: "99409",
        names: &["GUATEMALA"],
    },
    Country {
        alpha3: "GUM",
        insee: "99505",
        names: &["GUAM"],
    },
    Country {
        alpha3: "GNB",
        insee: "99392",
        names: &["GUINEE BISSAU", "GUINEA BISSAU"],
    },
    Country {
        alpha3: "GUY",
        insee: "99428",
        names: &["GUYANA"],
    },
    Country {
        alpha3: "HKG",
        insee: "99230",
        names: &["HONG KONG"],
    },
    Country {
        alpha3: "HND",
        insee: "99411",
        names: &["HONDURAS"],
    },
    Country {
        alpha3: "HRV",
        insee: "99119",
        names: &["CROATIE", "CROATIA"],
    },
    Country {
        alpha3: "HTI",
        insee: "99410",
        names: &["HAITI"],
    },
    Country {
        alpha3: "HUN",
        insee: "99112",
        names: &["HONGRIE", "HUNGARY"],
    },
    Country {
        alpha3: "IDN",
        insee: "99231",
        names: &["INDONESIE", "INDONESIA"],
    },
    Country {
        alpha3: "IRL",
        insee: "99136",
        names: &["IRLANDE", "IRELAND"],
    },
    Country {
        alpha3: "ISR",
        insee: "99207",
        names: &["ISRAEL"],
    },
    Country {
        alpha3: "IMN",
        insee: "99132",
        names: &["MAN ILE", "ISLE OF MAN"],
    },
    Country {
        alpha3: "IND",
        insee: "99223",
        names: &["INDE", "INDIA"],
    },
    Country {
        alpha3: "IRQ",
        insee: "99203",
        names: &["IRAK", "IRAQ"],
    },
    Country {
        alpha3: "IRN",
        insee: "99204",
        names: &["IRAN"],
    },
    Country {
        alpha3: "ISL",
        insee: "99102",
        names: &["ISLANDE", "ICELAND"],
    },
    Country {
        alpha3: "ITA",
        insee: "99127",
        names: &["ITALIE", "ITALY", "ITALIA"],
    },
    Country {
        alpha3: "JEY",
        insee: "99132",
        names: &["JERSEY"],
    },
    Country {
        alpha3: "JAM",
        insee: "99426",
        names: &["JAMAIQUE", "JAMAICA"],
    },
    Country {
        alpha3: "JOR",
        insee: "99222",
        names: &["JORDANIE", "JORDAN"],
    },
    Country {
        alpha3: "JPN",
        insee: "99217",
        names: &["JAPON", "JAPAN"],
    },
    Country {
        alpha3: "KEN",
        insee: "99332",
        names: &["KENYA"],
    },
    Country {
        alpha3: "KGZ",
        insee: "99257",
        names: &["KIRGHIZISTAN", "KYRGYZSTAN"],
    },
    Country {
        alpha3: "KHM",
        insee: "99234",
        names: &["CAMBODGE", "CAMBODIA"],
    },
    Country {
        alpha3: "KIR",
        insee: "99513",
        names: &["KIRIBATI"],
    },
    Country {
        alpha3: "COM",
        insee: "99397",
        names: &["COMORES", "COMOROS"],
    },
    Country {
        alpha3: "KNA",
        insee: "99442",
        names: &["SAINT CHRISTOPHE ET NIEVES", "SAINT KITTS AND NEVIS"],
    },
    Country {
        alpha3: "PRK",
        insee: "99238",
        names: &["COREE DU NORD", "NORTH KOREA"],
    },
    Country {
        alpha3: "KOR",
        insee: "99239",
        names: &["COREE DU SUD", "SOUTH KOREA", "KOREA"],
    },
    Country {
        alpha3: "KWT",
        insee: "99240",
        names: &["KOWEIT", "KUWAIT"],
    },
    Country {
        alpha3: "CYM",
        insee: "99425",
        names: &["CAIMANES ILES", "CAYMAN ISLANDS"],
    },
    Country {
        alpha3: "KAZ",
        insee: "99256",
        names: &["KAZAKHSTAN"],
    },
    Country {
        alpha3: "LAO",
        insee: "99241",
        names: &["LAOS"],
    },
    Country {
        alpha3: "LBN",
        insee: "99205",
        names: &["LIBAN", "LEBANON"],
    },
    Country {
        alpha3: "LCA",
        insee: "99439",
        names: &["SAINTE LUCIE", "SAINT LUCIA"],
    },
    Country {
        alpha3: "LIE",
        insee: "99113",
        names: &["LIECHTENSTEIN"],
    },
    Country {
        alpha3: "LKA",
        insee: "99235",
        names: &["SRI LANKA"],
    },
    Country {
        alpha3: "LBR",
        insee: "99302",
        names: &["LIBERIA"],
    },
    Country {
        alpha3: "LSO",
        insee: "99348",
        names: &["LESOTHO"],
    },
    Country {
        alpha3: "LTU",
        insee: "99108",
        names: &["LITUANIE", "LITHUANIA"],
    },
    Country {
        alpha3: "LUX",
        insee: "99137",
        names: &["LUXEMBOURG"],
    },
    Country {
        alpha3: "LVA",
        insee: "99107",
        names: &["LETTONIE", "LATVIA"],
    },
    Country {
        alpha3: "LBY",
        insee: "99316",
        names: &["LIBYE", "LIBYA"],
    },
    Country {
        alpha3: "MAR",
        insee: "99350",
        names: &["MAROC", "MOROCCO"],
    },
    Country {
        alpha3: "MCO",
        insee: "99138",
        names: &["MONACO"],
    },
    Country {
        alpha3: "MDA",
        insee: "99151",
        names: &["MOLDAVIE", "MOLDOVA"],
    },
    Country {
        alpha3: "MNE",
        insee: "99120",
        names: &["MONTENEGRO"],
    },
    Country {
        alpha3: "MDG",
        insee: "99333",
        names: &["MADAGASCAR"],
    },
    Country {
        alpha3: "MHL",
        insee: "99515",
        names: &["MARSHALL ILES", "MARSHALL ISLANDS"],
    },
    Country {
        alpha3: "MKD",
        insee: "99156",
        names: &[
            "MACEDOINE DU NORD",
            "MACEDOINE",
            "NORTH MACEDONIA",
            "MACEDONIA",
        ],
    },
    Country {
        alpha3: "MLI",
        insee: "99335",
        names: &["MALI"],
    },
    Country {
        alpha3: "MMR",
        insee: "99224",
        names: &["BIRMANIE", "MYANMAR", "BURMA"],
    },
    Country {
        alpha3: "MNG",
        insee: "99242",
        names: &["MONGOLIE", "MONGOLIA"],
    },
    Country {
        alpha3: "MAC",
        insee: "99232",
        names: &["MACAO", "MACAU"],
    },
    Country {
        alpha3: "MNP",
        insee: "99505",
        names: &["MARIANNES DU NORD ILES", "NORTHERN MARIANA ISLANDS"],
    },
    Country {
        alpha3: "MRT",
        insee: "99336",
        names: &["MAURITANIE", "MAURITANIA"],
    },
    Country {
        alpha3: "MSR",
        insee: "99425",
        names: &["MONTSERRAT"],
    },
    Country {
        alpha3: "MLT",
        insee: "99144",
        names: &["MALTE", "MALTA"],
    },
    Country {
        alpha3: "MUS",
        insee: "99390",
        names: &["MAURICE", "ILE MAURICE", "MAURITIUS"],
    },
    Country {
        alpha3: "MDV",
        insee: "99229",
        names: &["MALDIVES"],
    },
    Country {
        alpha3: "MWI",
        insee: "99334",
        names: &["MALAWI"],
    },
    Country {
        alpha3: "MEX",
        insee: "99405",
        names: &["MEXIQUE", "MEXICO"],
    },
    Country {
        alpha3: "MYS",
        insee: "99227",
        names: &["MALAISIE", "MALAYSIA"],
    },
    Country {
        alpha3: "MOZ",
        insee: "99393",
        names: &["MOZAMBIQUE"],
    },
    Country {
        alpha3: "NAM",
        insee: "99311",
        names: &["NAMIBIE", "NAMIBIA"],
    },
    Country {
        alpha3: "NER",
        insee: "99337",
        names: &["NIGER"],
    },
    Country {
        alpha3: "NGA",
        insee: "99338",
        names: &["NIGERIA"],
    },
    Country {
        alpha3: "NIC",
        insee: "99412",
        names: &["NICARAGUA"],
    },
    Country {
        alpha3: "NLD",
        insee: "99135",
        names: &["PAYS BAS", "NETHERLANDS", "HOLLAND"],
    },
    Country {
        alpha3: "NOR",
        insee: "99103",
        names: &["NORVEGE", "NORWAY"],
    },
    Country {
        alpha3: "NPL",
        insee: "99215",
        names: &["NEPAL"],
    },
    Country {
        alpha3: "NRU",
        insee: "99507",
        names: &["NAURU"],
    },
    Country {
        alpha3: "NIU",
        insee: "99502",
        names: &["NIUE"],
    },
    Country {
        alpha3: "NZL",
        insee: "99502",
        names: &["NOUVELLE ZELANDE", "NEW ZEALAND"],
    },
    Country {
        alpha3: "OMN",
        insee: "99250",
        names: &["OMAN"],
    },
    Country {
        alpha3: "PAN",
        insee: "99413",
        names: &["PANAMA"],
    },
    Country {
        alpha3: "PER",
        insee: "99422",
        names: &["PEROU", "PERU"],
    },
    Country {
        alpha3: "PNG",
        insee: "99510",
        names: &["PAPOUASIE NOUVELLE GUINEE", "PAPUA NEW GUINEA"],
    },
    Country {
        alpha3: "PHL",
        insee: "99220",
        names: &["PHILIPPINES"],
    },
    Country {
        alpha3: "PAK",
        insee: "99213",
        names: &["PAKISTAN"],
    },
    Country {
        alpha3: "POL",
        insee: "99122",
        names: &["POLOGNE", "POLAND", "POLSKA"],
    },
    Country {
        alpha3: "PCN",
        insee: "99503",
        names: &["PITCAIRN"],
    },
    Country {
        alpha3: "PRI",
        insee: "99432",
        names: &["PORTO RICO", "PUERTO RICO"],
    },
    Country {
        alpha3: "PSE",
        insee: "99261",
        names: &["PALESTINE"],
    },
    Country {
        alpha3: "PRT",
        insee: "99139",
        names: &["PORTUGAL"],
    },
    Country {
        alpha3: "PLW",
        insee: "99517",
        names: &["PALAOS", "PALAU"],
    },
    Country {
        alpha3: "PRY",
        insee: "99421",
        names: &["PARAGUAY"],
    },
    Country {
        alpha3: "QAT",
        insee: "99248",
        names: &["QATAR"],
    },
    Country {
        alpha3: "ROU",
        insee: "99114",
        names: &["ROUMANIE", "ROMANIA"],
    },
    Country {
        alpha3: "SRB",
        insee: "99121",
        names: &["SERBIE", "SERBIA"],
    },
    Country {
        alpha3: "RUS",
        insee: "99123",
        names: &["RUSSIE", "RUSSIA", "RUSSIAN FEDERATION"],
    },
    Country {
        alpha3: "RWA",
        insee: "99340",
        names: &["RWANDA"],
    },
    Country {
        alpha3: "SAU",
        insee: "99201",
        names: &["ARABIE SAOUDITE", "SAUDI ARABIA"],
    },
    Country {
        alpha3: "SLB",
        insee: "99512",
        names: &["SALOMON ILES", "SOLOMON ISLANDS"],
    },
    Country {
        alpha3: "SYC",
        insee: "99398",
        names: &["SEYCHELLES"],
    },
    Country {
        alpha3: "SDN",
        insee: "99343",
        names: &["SOUDAN", "SUDAN"],
    },
    Country {
        alpha3: "SWE",
        insee: "99104",
        names: &["SUEDE", "SWEDEN"],
    },
    Country {
        alpha3: "SGP",
        insee: "99226",
        names: &["SINGAPOUR", "SINGAPORE"],
    },
    Country {
        alpha3: "SHN",
        insee: "99306",
        names: &["SAINTE HELENE", "SAINT HELENA"],
    },
    Country {
        alpha3: "SVN",
        insee: "99145",
        names: &["SLOVENIE", "SLOVENIA"],
    },
    Country {
        alpha3: "SVK",
        insee: "99117",
        names: &["SLOVAQUIE", "SLOVAKIA"],
    },
    Country {
        alpha3: "SLE",
        insee: "99342",
        names: &["SIERRA LEONE"],
    },
    Country {
        alpha3: "SMR",
        insee: "99128",
        names: &["SAINT MARIN", "SAN MARINO"],
    },
    Country {
        alpha3: "SEN",
        insee: "99341",
        names: &["SENEGAL"],
    },
    Country {
        alpha3: "SOM",
        insee: "99318",
        names: &["SOMALIE", "SOMALIA"],
    },
    Country {
        alpha3: "SUR",
        insee: "99437",
        names: &["SURINAME"],
    },
    Country {
        alpha3: "SSD",
        insee: "99349",
        names: &["SOUDAN DU SUD", "SOUTH SUDAN"],
    },
    Country {
        alpha3: "STP",
        insee: "99394",
        names: &["SAO TOME ET PRINCIPE", "SAO TOME AND PRINCIPE"],
    },
    Country {
        alpha3: "SLV",
        insee: "99414",
        names: &["SALVADOR", "EL SALVADOR"],
    },
    Country {
        alpha3: "SXM",
        insee: "99445",
        names: &["SAINT MARTIN PARTIE NEERLANDAISE", "SINT MAARTEN"],
    },
    Country {
        alpha3: "SYR",
        insee: "99206",
        names: &["SYRIE", "SYRIA"],
    },
    Country {
        alpha3: "SWZ",
        insee: "99391",
        names: &["ESWATINI", "SWAZILAND"],
    },
    Country {
        alpha3: "TCA",
        insee: "99425",
        names: &["TURKS ET CAIQUES ILES", "TURKS AND CAICOS ISLANDS"],
    },
    Country {
        alpha3: "TCD",
        insee: "99344",
        names: &["TCHAD", "CHAD"],
    },
    Country {
        alpha3: "TGO",
        insee: "99345",
        names: &["TOGO"],
    },
    Country {
        alpha3: "THA",
        insee: "99219",
        names: &["THAILANDE", "THAILAND"],
    },
    Country {
        alpha3: "TJK",
        insee: "99259",
        names: &["TADJIKISTAN", "TAJIKISTAN"],
    },
    Country {
        alpha3: "TKL",
        insee: "99502",
        names: &["TOKELAU"],
    },
    Country {
        alpha3: "TLS",
        insee: "99262",
        names: &["TIMOR ORIENTAL", "TIMOR LESTE", "EAST TIMOR"],
    },
    Country {
        alpha3: "TKM",
        insee: "99260",
        names: &["TURKMENISTAN"],
    },
    Country {
        alpha3: "TUN",
        insee: "99351",
        names: &["TUNISIE", "TUNISIA"],
    },
    Country {
        alpha3: "TON",
        insee: "99509",
        names: &["TONGA"],
    },
    Country {
        alpha3: "TUR",
        insee: "99208",
        names: &["TURQUIE", "TURKEY", "TURKIYE"],
    },
    Country {
        alpha3: "TTO",
        insee: "99433",
        names: &["TRINITE ET TOBAGO", "TRINIDAD AND TOBAGO"],
    },
    Country {
        alpha3: "TUV",
        insee: "99511",
        names: &["TUVALU"],
    },
    Country {
        alpha3: "TWN",
        insee: "99236",
        names: &["TAIWAN"],
    },
    Country {
        alpha3: "TZA",
        insee: "99309",
        names: &["TANZANIE", "TANZANIA"],
    },
    Country {
        alpha3: "UKR",
        insee: "99155",
        names: &["UKRAINE"],
    },
    Country {
        alpha3: "UGA",
        insee: "99339",
        names: &["OUGANDA", "UGANDA"],
    },
    Country {
        alpha3: "USA",
        insee: "99404",
        names: &[
            "ETATS UNIS",
            "ETATS UNIS D AMERIQUE",
            "UNITED STATES",
            "UNITED STATES OF AMERICA",
            "USA",
        ],
    },
    Country {
        alpha3: "URY",
        insee: "99423",
        names: &["URUGUAY"],
    },
    Country {
        alpha3: "UZB",
        insee: "99258",
        names: &["OUZBEKISTAN", "UZBEKISTAN"],
    },
    Country {
        alpha3: "VAT",
        insee: "99129",
        names: &["VATICAN", "SAINT SIEGE", "HOLY SEE"],
    },
    Country {
        alpha3: "VCT",
        insee: "99440",
        names: &[
            "SAINT VINCENT ET LES GRENADINES",
            "SAINT VINCENT AND THE GRENADINES",
        ],
    },
    Country {
        alpha3: "VEN",
        insee: "99424",
        names: &["VENEZUELA"],
    },
    Country {
        alpha3: "VGB",
        insee: "99425",
        names: &["ILES VIERGES BRITANNIQUES", "BRITISH VIRGIN ISLANDS"],
    },
    Country {
        alpha3: "VIR",
        insee: "99432",
        names: &[
            "ILES VIERGES DES ETATS UNIS",
            "UNITED STATES VIRGIN ISLANDS",
        ],
    },
    Country {
        alpha3: "VNM",
        insee: "99243",
        names: &["VIET NAM", "VIETNAM"],
    },
    Country {
        alpha3: "VUT",
        insee: "99514",
        names: &["VANUATU"],
    },
    Country {
        alpha3: "WSM",
        insee: "99506",
        names: &["SAMOA"],
    },
    Country {
        alpha3: "YEM",
        insee: "99251",
        names: &["YEMEN"],
    },
    Country {
        alpha3: "ZAF",
        insee: "99303",
        names: &["AFRIQUE DU SUD", "SOUTH AFRICA"],
    },
    Country {
        alpha3: "ZMB",
        insee: "99346",
        names: &["ZAMBIE", "ZAMBIA"],
    },
    Country {
        alpha3: "ZWE",
        insee: "99310",
        names: &["ZIMBABWE"],
    },
    Country {
        alpha3: "XKX",
        insee: "99157",
        names: &["KOSOVO"],
    },
];

/// The country of an ISO 3166-1 alpha-3 code.
pub fn by_alpha3(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.alpha3 == code)
}

/// The country whose French or English name is `normalized` (see
/// [`super::place::normalize`]).
pub(crate) fn by_name(normalized: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.names.contains(&normalized))
}
