"""Vocabulary of the demo data set (`seed_demo`): names, places, popularity, price bands.

Plain data, no Django imports; `expo.services.demo.plan` draws from it. Everything here is invented
(no real company is named on purpose); amounts are plausible CNY figures for 2027.
"""

# fmt: off
from decimal import Decimal

# --- Popularity --------------------------------------------------------------------------------
# Most popular first; the rank gives each term a Zipf-like base weight. Terms of the taxonomy not
# listed here come after these, in slug order, so an edited taxonomy still seeds.
POPULARITY: dict[str, tuple[str, ...]] = {
    "fabric": (
        "chiffon", "pongee", "taffeta", "satin", "oxford", "georgette", "twill", "crepe", "jacquard",
        "peach-skin", "memory-fabric", "jersey", "mesh", "taslan", "minimatt", "crepe-de-chine", "velvet",
        "habotai", "polar-fleece", "interlock", "organza", "ripstop", "dobby", "poplin",
        "microfibre-suede", "tricot", "scuba", "gabardine", "canvas", "french-terry", "pique", "voile",
        "rib", "seersucker", "velour", "denim", "spacer-mesh", "spunbond", "spunlace",
        "needle-punched", "meltblown",
    ),
    "process": (
        "piece-dyeing", "digital-printing", "heat-setting", "pu-coating", "water-repellent",
        "alkali-reduction", "crinkling", "pleating", "rotary-printing", "transfer-printing",
        "brushing", "calendering", "tpu-laminating", "embossing", "hot-stamping", "bonding",
        "moisture-wicking", "flame-retardant", "anti-static", "pa-coating", "yarn-dyeing",
        "flocking", "antibacterial", "texturising", "twisting", "embroidery", "pigment-printing",
        "flat-screen-printing", "burn-out",
    ),
    "fibre": (
        "polyester-fdy", "polyester-dty", "recycled-polyester", "silk-like", "nylon-6", "polyester-poy",
        "spandex", "cationic-polyester", "cotton-like", "viscose", "silk", "nylon-66", "cotton",
        "polyester-staple", "linen-like", "acetate", "modal", "lyocell", "linen", "cupro",
        "vortex-spun", "compact-siro", "wool",
    ),
    "end_use": (
        "womens-wear", "outerwear", "sportswear", "lining", "menswear", "curtains", "scarves",
        "childrenswear", "outdoor-gear", "shirting", "bedding", "lingerie", "upholstery", "luggage",
        "workwear", "automotive", "table-linen", "protective", "medical", "filtration",
    ),
    "certification": (
        "oeko-tex-100", "iso-9001", "grs", "bluesign", "amfori-bsci", "iso-14001", "higg-fem", "zdhc",
        "gots", "rcs", "oeko-tex-step", "ocs", "iso-45001",
    ),
}
ZIPF_EXPONENT = 1.0
# Weight factor of a parent term ("woven", "printing"): leaves say more, so they are preferred.
PARENT_FACTOR: dict[str, float] = {"fabric": 0.0, "process": 0.1, "fibre": 0.15, "end_use": 0.08}
# Weight factor of a term outside a segment's or a mill type's own list (a little noise).
LEAK = 0.008


# --- Exhibitors --------------------------------------------------------------------------------
# A mill type: share of exhibitors, name words, facet lists (favoured terms) and how many of each,
# and the scale of its numbers. `counts` gives (low, high) inclusive per facet kind.
MILL_TYPES: tuple[dict, ...] = (
    {
        "key": "weaving",
        "share": 0.28,
        "words": (("织造", "Weaving"), ("纺织", "Textile")),
        "fabric": ("chiffon", "pongee", "taffeta", "satin", "georgette", "oxford", "twill", "crepe",
                   "peach-skin", "memory-fabric", "taslan", "minimatt", "jacquard", "dobby", "habotai"),
        "process": ("heat-setting", "alkali-reduction", "calendering", "twisting"),
        "fibre": ("polyester-fdy", "polyester-dty", "silk-like", "nylon-6", "recycled-polyester",
                  "cationic-polyester", "polyester-poy"),
        "end_use": ("womens-wear", "lining", "outerwear", "menswear", "curtains", "sportswear"),
        "counts": {"fabric": (2, 6), "process": (0, 2), "fibre": (1, 3), "end_use": (1, 4)},
        "moq": 1500, "capacity": 400_000, "price": 1.0, "lead": 20,
        "tagline": ("Weaving mill with water-jet and air-jet looms", "拥有喷水、喷气织机的织造厂"),
    },
    {
        "key": "dyeing",
        "share": 0.15,
        "words": (("印染", "Printing & Dyeing"), ("染整", "Dyeing & Finishing")),
        "fabric": ("chiffon", "pongee", "taffeta", "satin", "oxford", "georgette", "twill", "crepe",
                   "peach-skin", "memory-fabric", "taslan", "jersey", "polar-fleece", "minimatt"),
        "process": ("piece-dyeing", "heat-setting", "alkali-reduction", "crinkling", "brushing",
                    "calendering", "water-repellent", "embossing", "moisture-wicking", "anti-static",
                    "antibacterial", "flame-retardant", "pleating"),
        "fibre": ("polyester-fdy", "polyester-dty", "nylon-6", "recycled-polyester", "silk-like"),
        "end_use": ("womens-wear", "outerwear", "sportswear", "lining", "menswear", "curtains"),
        "counts": {"fabric": (3, 8), "process": (3, 7), "fibre": (1, 3), "end_use": (2, 5)},
        "moq": 3000, "capacity": 1_000_000, "price": 1.1, "lead": 15,
        "tagline": ("Dyeing and finishing mill offering commission dyeing and functional finishes",
                    "提供来料加工染色与功能性整理的印染厂"),
    },
    {
        "key": "printing",
        "share": 0.08,
        "words": (("数码印花", "Digital Printing"), ("印花", "Printing")),
        "fabric": ("chiffon", "georgette", "satin", "crepe", "crepe-de-chine", "habotai", "jersey",
                   "peach-skin", "voile", "poplin", "canvas"),
        "process": ("digital-printing", "rotary-printing", "transfer-printing", "pigment-printing",
                    "flat-screen-printing", "burn-out", "hot-stamping", "pleating"),
        "fibre": ("polyester-fdy", "silk-like", "silk", "viscose", "cotton", "spandex"),
        "end_use": ("womens-wear", "scarves", "sportswear", "childrenswear", "bedding", "curtains"),
        "counts": {"fabric": (3, 7), "process": (2, 5), "fibre": (1, 3), "end_use": (2, 4)},
        "moq": 500, "capacity": 300_000, "price": 1.4, "lead": 12,
        "tagline": ("Print house running digital and rotary-screen lines", "拥有数码与圆网印花生产线的印花厂"),
    },
    {
        "key": "silk",
        "share": 0.09,
        "words": (("丝绸", "Silk"),),
        "fabric": ("crepe-de-chine", "habotai", "satin", "chiffon", "georgette", "organza", "jacquard",
                   "velvet", "crepe", "taffeta"),
        "process": ("piece-dyeing", "digital-printing", "yarn-dyeing", "embroidery", "burn-out",
                    "crinkling"),
        "fibre": ("silk", "silk-like", "acetate", "viscose", "cupro"),
        "end_use": ("womens-wear", "scarves", "lingerie", "shirting", "bedding"),
        "counts": {"fabric": (3, 7), "process": (1, 3), "fibre": (1, 3), "end_use": (2, 4)},
        "moq": 300, "capacity": 120_000, "price": 1.0, "lead": 25,
        "tagline": ("Silk mill weaving mulberry silk and silk-like fabrics", "织造真丝及仿真丝面料的丝绸企业"),
    },
    {
        "key": "chemical-fibre",
        "share": 0.07,
        "words": (("化纤", "Chemical Fibre"),),
        "fabric": ("pongee", "taffeta", "chiffon", "satin", "peach-skin"),
        "process": ("texturising", "twisting", "heat-setting"),
        "fibre": ("polyester-fdy", "polyester-poy", "polyester-dty", "recycled-polyester",
                  "cationic-polyester", "nylon-6", "nylon-66", "polyester-staple", "spandex"),
        "end_use": ("womens-wear", "sportswear", "lining", "outerwear", "home-textile"),
        "counts": {"fabric": (1, 2), "process": (1, 3), "fibre": (2, 5), "end_use": (1, 3)},
        "moq": 5000, "capacity": 3_000_000, "price": 0.7, "lead": 10,
        "tagline": ("Polyester and nylon filament producer, melt direct spinning and texturising",
                    "熔体直纺及加弹的涤纶、锦纶长丝生产企业"),
    },
    {
        "key": "knitting",
        "share": 0.12,
        "words": (("针织", "Knitting"),),
        "fabric": ("jersey", "mesh", "interlock", "polar-fleece", "tricot", "scuba", "rib", "pique",
                   "french-terry", "velour", "spacer-mesh"),
        "process": ("piece-dyeing", "brushing", "moisture-wicking", "antibacterial", "transfer-printing",
                    "heat-setting"),
        "fibre": ("polyester-dty", "spandex", "recycled-polyester", "nylon-6", "cotton", "modal",
                  "cotton-like", "viscose"),
        "end_use": ("sportswear", "childrenswear", "lingerie", "womens-wear", "outdoor-gear"),
        "counts": {"fabric": (2, 6), "process": (1, 3), "fibre": (2, 4), "end_use": (1, 3)},
        "moq": 800, "capacity": 250_000, "price": 1.0, "lead": 18,
        "tagline": ("Circular and warp knitting mill", "圆机与经编针织企业"),
    },
    {
        "key": "coating",
        "share": 0.07,
        "words": (("新材料", "New Materials"), ("涂层复合", "Coating & Laminating")),
        "fabric": ("oxford", "taslan", "pongee", "ripstop", "taffeta", "memory-fabric", "minimatt",
                   "canvas"),
        "process": ("pu-coating", "pa-coating", "tpu-laminating", "bonding", "water-repellent",
                    "flame-retardant", "laminating", "calendering"),
        "fibre": ("nylon-6", "nylon-66", "polyester-fdy", "recycled-polyester"),
        "end_use": ("outerwear", "outdoor-gear", "luggage", "workwear", "protective", "automotive"),
        "counts": {"fabric": (2, 5), "process": (3, 6), "fibre": (1, 3), "end_use": (2, 4)},
        "moq": 2000, "capacity": 500_000, "price": 1.3, "lead": 20,
        "tagline": ("Coating and laminating plant for functional outdoor fabrics",
                    "功能性户外面料涂层复合企业"),
    },
    {
        "key": "home",
        "share": 0.05,
        "words": (("家纺", "Home Textile"),),
        "fabric": ("velvet", "jacquard", "dobby", "voile", "canvas", "microfibre-suede", "satin"),
        "process": ("flocking", "flame-retardant", "embossing", "rotary-printing", "yarn-dyeing",
                    "brushing"),
        "fibre": ("polyester-fdy", "polyester-dty", "cotton", "linen-like", "polyester-staple"),
        "end_use": ("curtains", "upholstery", "bedding", "table-linen"),
        "counts": {"fabric": (2, 5), "process": (1, 3), "fibre": (1, 3), "end_use": (2, 4)},
        "moq": 1000, "capacity": 300_000, "price": 1.2, "lead": 25,
        "tagline": ("Home textile mill for curtains, upholstery and bedding", "生产窗帘、沙发布和床品面料的家纺企业"),
    },
    {
        "key": "cotton-linen",
        "share": 0.04,
        "words": (("棉麻纺织", "Cotton & Linen"),),
        "fabric": ("poplin", "twill", "canvas", "denim", "seersucker", "voile", "dobby", "gabardine",
                   "oxford"),
        "process": ("yarn-dyeing", "piece-dyeing", "calendering", "brushing"),
        "fibre": ("cotton", "linen", "linen-like", "cotton-like", "vortex-spun", "compact-siro", "lyocell",
                  "modal"),
        "end_use": ("shirting", "menswear", "womens-wear", "workwear", "childrenswear", "bedding"),
        "counts": {"fabric": (2, 5), "process": (1, 3), "fibre": (2, 4), "end_use": (2, 4)},
        "moq": 1000, "capacity": 200_000, "price": 1.0, "lead": 30,
        "tagline": ("Spinning and weaving mill for cotton and linen blends", "棉麻混纺纺纱织造企业"),
    },
    {
        "key": "nonwoven",
        "share": 0.03,
        "words": (("无纺布", "Nonwoven"),),
        "fabric": ("spunbond", "spunlace", "needle-punched", "meltblown"),
        "process": ("calendering", "antibacterial", "flame-retardant", "laminating"),
        "fibre": ("polyester-staple", "viscose", "recycled-polyester"),
        "end_use": ("medical", "filtration", "automotive", "protective", "bedding"),
        "counts": {"fabric": (1, 3), "process": (0, 2), "fibre": (1, 2), "end_use": (2, 4)},
        "moq": 10_000, "capacity": 2_000_000, "price": 1.0, "lead": 12,
        "tagline": ("Nonwoven roll goods producer", "无纺卷材生产企业"),
    },
    {
        "key": "trading",
        "share": 0.02,
        "words": (("纺织品进出口", "Textile Import & Export"), ("纺织贸易", "Textile Trading")),
        "fabric": (),  # a trader carries whatever is popular
        "process": ("digital-printing", "piece-dyeing", "pu-coating"),
        "fibre": (),
        "end_use": (),
        "counts": {"fabric": (4, 10), "process": (0, 3), "fibre": (2, 5), "end_use": (2, 5)},
        "moq": 300, "capacity": 150_000, "price": 1.2, "lead": 15,
        "tagline": ("Textile trading house sourcing from Shengze and Keqiao mills", "从盛泽、柯桥工厂采购的纺织贸易公司"),
    },
)

# Chinese places a mill is in: (Chinese, English, province, weight).
MILL_PLACES: tuple[tuple[str, str, str, float], ...] = (
    ("盛泽", "Shengze", "Jiangsu", 16),
    ("吴江", "Wujiang", "Jiangsu", 14),
    ("苏州", "Suzhou", "Jiangsu", 6),
    ("常熟", "Changshu", "Jiangsu", 4),
    ("江阴", "Jiangyin", "Jiangsu", 2),
    ("南通", "Nantong", "Jiangsu", 3),
    ("无锡", "Wuxi", "Jiangsu", 2),
    ("绍兴", "Shaoxing", "Zhejiang", 8),
    ("柯桥", "Keqiao", "Zhejiang", 8),
    ("杭州", "Hangzhou", "Zhejiang", 4),
    ("湖州", "Huzhou", "Zhejiang", 3),
    ("嘉兴", "Jiaxing", "Zhejiang", 3),
    ("海宁", "Haining", "Zhejiang", 2),
    ("萧山", "Xiaoshan", "Zhejiang", 2),
    ("长乐", "Changle", "Fujian", 3),
    ("晋江", "Jinjiang", "Fujian", 2),
    ("石狮", "Shishi", "Fujian", 2),
    ("佛山", "Foshan", "Guangdong", 2),
    ("广州", "Guangzhou", "Guangdong", 2),
    ("汕头", "Shantou", "Guangdong", 1),
    ("潍坊", "Weifang", "Shandong", 1),
    ("高阳", "Gaoyang", "Hebei", 1),
)
# Two-character brand names: first and second characters with their pinyin.
BRAND_FIRST: tuple[tuple[str, str], ...] = (
    ("恒", "Heng"), ("盛", "Sheng"), ("华", "Hua"), ("鑫", "Xin"), ("永", "Yong"), ("天", "Tian"),
    ("丰", "Feng"), ("宏", "Hong"), ("德", "De"), ("瑞", "Rui"), ("嘉", "Jia"), ("金", "Jin"),
    ("锦", "Jin"), ("东", "Dong"), ("龙", "Long"), ("福", "Fu"), ("祥", "Xiang"), ("泰", "Tai"),
    ("顺", "Shun"), ("昌", "Chang"), ("兴", "Xing"), ("美", "Mei"), ("佳", "Jia"), ("宇", "Yu"),
    ("海", "Hai"), ("凯", "Kai"), ("万", "Wan"), ("富", "Fu"), ("长", "Chang"), ("中", "Zhong"),
    ("远", "Yuan"), ("骏", "Jun"), ("浩", "Hao"), ("博", "Bo"), ("明", "Ming"), ("亿", "Yi"),
    ("鸿", "Hong"), ("润", "Run"), ("新", "Xin"), ("辰", "Chen"),
)
BRAND_SECOND: tuple[tuple[str, str], ...] = (
    ("达", "da"), ("利", "li"), ("盛", "sheng"), ("丰", "feng"), ("华", "hua"), ("隆", "long"),
    ("昌", "chang"), ("泰", "tai"), ("祥", "xiang"), ("源", "yuan"), ("兴", "xing"), ("润", "run"),
    ("发", "fa"), ("鑫", "xin"), ("信", "xin"), ("通", "tong"), ("诚", "cheng"), ("宇", "yu"),
    ("晟", "sheng"), ("辉", "hui"), ("彩", "cai"), ("纺", "fang"), ("绮", "qi"), ("锦", "jin"),
    ("帆", "fan"), ("茂", "mao"), ("荣", "rong"), ("瑞", "rui"), ("成", "cheng"), ("阳", "yang"),
    ("邦", "bang"), ("凯", "kai"), ("新", "xin"), ("峰", "feng"), ("益", "yi"), ("欣", "xin"),
    ("嘉", "jia"), ("和", "he"), ("顺", "shun"), ("豪", "hao"),
)
# Share of exhibitors from outside China, and where they come from:
# (country, city, name pattern with {brand} and {type}, brands).
FOREIGN_EXHIBITOR_SHARE = 0.04
FOREIGN_MILLS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("KR", "Daegu", "{brand} {type} Co., Ltd.", ("Daesung", "Hanil", "Samwoo", "Youngjin", "Sungshin", "Dongbang",
                                                 "Gumi", "Palgong", "Shinhan", "Seongseo")),
    ("JP", "Fukui", "{brand} {type} Co., Ltd.", ("Maeda", "Matsui", "Kajiwara", "Tsuda", "Hokuriku", "Echizen",
                                                 "Kuzuryu", "Asuwa", "Sabae", "Takefu")),
    ("IT", "Como", "{brand} {type} S.r.l.", ("Bianchi", "Colombo", "Ferrario", "Galli", "Riva", "Sala",
                                             "Lario", "Brunate", "Cernobbio", "Villa")),
    ("IN", "Surat", "{brand} {type} Pvt. Ltd.", ("Shree Ganesh", "Laxmi", "Surya", "Krishna", "Om Sai", "Tapi",
                                                 "Sachin", "Udhna", "Varachha", "Navsari")),
    ("TR", "Bursa", "{brand} {type} A.Ş.", ("Uludağ", "Yıldız", "Akın", "Demirtaş", "Nilüfer", "Osmangazi",
                                           "Gemlik", "İnegöl", "Mudanya", "Karacabey")),
    ("PK", "Faisalabad", "{brand} {type} Mills Ltd.", ("Indus", "Ravi", "Chenab", "Margalla", "Karakoram",
                                                       "Lyallpur", "Jhang", "Sargodha", "Samundri", "Chiniot")),
    ("VN", "Nam Dinh", "{brand} {type} JSC", ("Song Hong", "Thanh Cong", "Phu Thinh", "Viet Thang", "Hoa Binh",
                                              "Minh Anh", "Vu Ban", "Hai Hau", "Y Yen", "Giao Thuy")),
)

# Price bands per fabric in CNY per metre for polyester quality; fibres multiply them.
FABRIC_PRICE_BANDS: dict[str, tuple[float, float]] = {
    "chiffon": (6, 14), "georgette": (7, 16), "satin": (7, 18), "taffeta": (4, 10), "twill": (9, 22),
    "oxford": (5, 15), "pongee": (3.5, 9), "jacquard": (14, 40), "crepe": (8, 18),
    "crepe-de-chine": (9, 20), "organza": (6, 15), "poplin": (8, 20), "canvas": (10, 28),
    "dobby": (10, 24), "velvet": (15, 45), "peach-skin": (6, 14), "memory-fabric": (12, 28),
    "voile": (6, 16), "denim": (14, 35), "seersucker": (9, 22), "habotai": (6, 14),
    "microfibre-suede": (10, 26), "minimatt": (5, 12), "ripstop": (6, 16), "taslan": (7, 18),
    "gabardine": (12, 30), "jersey": (8, 20), "interlock": (10, 24), "rib": (9, 22), "mesh": (6, 16),
    "polar-fleece": (8, 20), "pique": (10, 24), "french-terry": (12, 30), "tricot": (10, 26),
    "velour": (12, 30), "scuba": (12, 28), "spacer-mesh": (15, 35), "spunbond": (1.2, 4),
    "spunlace": (2, 6), "needle-punched": (3, 10), "meltblown": (4, 12),
}
DEFAULT_PRICE_BAND = (8.0, 20.0)
FIBRE_PRICE_FACTOR: dict[str, float] = {
    "silk": 5.0, "wool": 3.5, "cupro": 2.2, "linen": 2.0, "lyocell": 1.7, "acetate": 1.6, "modal": 1.5,
    "nylon-66": 1.5, "nylon": 1.35, "nylon-6": 1.35, "cotton": 1.3, "compact-siro": 1.25,
    "viscose": 1.2, "spandex": 1.2, "recycled-polyester": 1.15, "cationic-polyester": 1.1,
    "vortex-spun": 1.1, "linen-like": 1.05, "cotton-like": 1.05,
}

# Certification probabilities of an exhibitor, and coherence boosts:
# (certification, facet slug that makes it likelier, factor).
EXHIBITOR_CERT_PROBABILITY: dict[str, float] = {
    "oeko-tex-100": 0.55, "iso-9001": 0.35, "grs": 0.12, "iso-14001": 0.14, "amfori-bsci": 0.10,
    "higg-fem": 0.07, "bluesign": 0.05, "zdhc": 0.05, "rcs": 0.05, "oeko-tex-step": 0.04,
    "iso-45001": 0.05, "gots": 0.02, "ocs": 0.02,
}
CERT_BOOSTS: tuple[tuple[str, str, float], ...] = (
    ("grs", "recycled-polyester", 5.0),
    ("rcs", "recycled-polyester", 3.0),
    ("gots", "cotton", 6.0),
    ("ocs", "cotton", 5.0),
    ("bluesign", "piece-dyeing", 3.0),
    ("zdhc", "piece-dyeing", 3.0),
    ("oeko-tex-step", "piece-dyeing", 2.5),
)

# --- Halls -------------------------------------------------------------------------------------
# (code, English name, Chinese name, mill types shown there).
HALLS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("A", "Hall A · Silk and Silk-Like Fabrics", "A馆 · 真丝及仿真丝面料", ("silk", "weaving")),
    ("B", "Hall B · Polyester Filament Fabrics", "B馆 · 涤纶长丝面料", ("weaving", "chemical-fibre")),
    ("C", "Hall C · Dyeing, Printing and Finishing", "C馆 · 印染及后整理", ("dyeing", "printing")),
    ("D", "Hall D · Functional and Outdoor Fabrics", "D馆 · 功能性及户外面料", ("coating",)),
    ("E", "Hall E · Knitted Fabrics", "E馆 · 针织面料", ("knitting",)),
    ("F", "Hall F · Home Textiles", "F馆 · 家纺面料", ("home", "cotton-linen")),
    ("G", "Hall G · Fibres, Yarns and Nonwovens", "G馆 · 纤维、纱线及无纺布", ("chemical-fibre", "nonwoven")),
    ("H", "Hall H · International and Trading Companies", "H馆 · 国际及贸易企业", ("trading", "foreign")),
)
# Share of booths with 1, 2, 3 and 4 meeting tables.
TABLE_SHARES = (0.45, 0.3, 0.17, 0.08)

# CNY per unit, fixed demo values (organisers set the real ones before the expo).
EXCHANGE_RATES: dict[str, Decimal] = {
    "USD": Decimal("7.12000000"), "EUR": Decimal("7.74000000"), "GBP": Decimal("9.02000000"),
    "HKD": Decimal("0.91300000"), "JPY": Decimal("0.04760000"), "KRW": Decimal("0.00516000"),
    "INR": Decimal("0.08350000"), "TRY": Decimal("0.20400000"), "VND": Decimal("0.00028100"),
    "BDT": Decimal("0.05830000"), "AED": Decimal("1.93900000"), "AUD": Decimal("4.68000000"),
}

# --- Buyers ------------------------------------------------------------------------------------
# A buyer segment: share, favoured facets and how many of each facet (low, high) it wants.
BUYER_SEGMENTS: tuple[dict, ...] = (
    {
        "key": "womenswear",
        "share": 0.22,
        "fabric": ("chiffon", "georgette", "satin", "crepe", "crepe-de-chine", "jacquard", "organza",
                   "habotai", "velvet", "voile", "peach-skin"),
        "process": ("digital-printing", "pleating", "crinkling", "hot-stamping", "embroidery", "burn-out",
                    "piece-dyeing"),
        "fibre": ("polyester-fdy", "silk-like", "silk", "viscose", "acetate", "spandex"),
        "end_use": ("womens-wear", "scarves", "lingerie"),
    },
    {
        "key": "outerwear",
        "share": 0.15,
        "fabric": ("taslan", "oxford", "pongee", "ripstop", "taffeta", "memory-fabric", "minimatt",
                   "peach-skin", "microfibre-suede", "twill"),
        "process": ("pu-coating", "water-repellent", "tpu-laminating", "pa-coating", "bonding",
                    "heat-setting", "calendering"),
        "fibre": ("nylon-6", "nylon-66", "polyester-fdy", "recycled-polyester", "polyester-dty"),
        "end_use": ("outerwear", "outdoor-gear", "workwear"),
    },
    {
        "key": "sportswear",
        "share": 0.14,
        "fabric": ("jersey", "mesh", "interlock", "pique", "tricot", "scuba", "spacer-mesh", "french-terry",
                   "polar-fleece"),
        "process": ("moisture-wicking", "transfer-printing", "antibacterial", "brushing", "digital-printing"),
        "fibre": ("polyester-dty", "recycled-polyester", "nylon-6", "spandex", "cationic-polyester"),
        "end_use": ("sportswear", "childrenswear", "outdoor-gear"),
    },
    {
        "key": "menswear",
        "share": 0.09,
        "fabric": ("twill", "poplin", "oxford", "dobby", "gabardine", "seersucker", "denim", "jacquard"),
        "process": ("yarn-dyeing", "calendering", "brushing", "piece-dyeing"),
        "fibre": ("cotton", "cotton-like", "linen", "linen-like", "compact-siro", "polyester-staple", "wool"),
        "end_use": ("menswear", "shirting", "workwear"),
    },
    {
        "key": "lining",
        "share": 0.06,
        "fabric": ("taffeta", "pongee", "satin", "twill", "habotai"),
        "process": ("heat-setting", "anti-static", "piece-dyeing", "calendering"),
        "fibre": ("polyester-fdy", "acetate", "cupro", "viscose"),
        "end_use": ("lining", "outerwear", "menswear"),
    },
    {
        "key": "home",
        "share": 0.1,
        "fabric": ("velvet", "jacquard", "dobby", "voile", "canvas", "satin", "microfibre-suede"),
        "process": ("flocking", "flame-retardant", "embossing", "rotary-printing", "yarn-dyeing"),
        "fibre": ("polyester-fdy", "polyester-dty", "cotton", "linen-like", "polyester-staple"),
        "end_use": ("curtains", "upholstery", "bedding", "table-linen"),
    },
    {
        "key": "technical",
        "share": 0.06,
        "fabric": ("oxford", "canvas", "ripstop", "spunbond", "needle-punched", "spunlace", "meltblown"),
        "process": ("pu-coating", "flame-retardant", "laminating", "anti-static", "antibacterial"),
        "fibre": ("polyester-fdy", "nylon-66", "polyester-staple", "recycled-polyester"),
        "end_use": ("luggage", "automotive", "filtration", "protective", "medical"),
    },
    {
        "key": "kidswear",
        "share": 0.07,
        "fabric": ("jersey", "interlock", "rib", "french-terry", "pique", "polar-fleece", "velour",
                   "poplin"),
        "process": ("piece-dyeing", "brushing", "antibacterial", "digital-printing"),
        "fibre": ("cotton", "modal", "spandex", "cotton-like", "lyocell"),
        "end_use": ("childrenswear", "lingerie"),
    },
    {
        "key": "general",
        "share": 0.11,  # traders and buying offices: whatever sells
        "fabric": (),
        "process": (),
        "fibre": (),
        "end_use": (),
    },
)
# How many terms of each kind a buyer wants: (counts, probabilities).
BUYER_FACET_COUNTS: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "fabric": ((1, 2, 3), (0.35, 0.4, 0.25)),
    "process": ((0, 1, 2, 3), (0.3, 0.35, 0.25, 0.1)),
    "fibre": ((0, 1, 2), (0.15, 0.5, 0.35)),
    "end_use": ((1, 2), (0.6, 0.4)),
}
# Required certifications: how many (when any), weights per certification.
BUYER_CERT_COUNTS = ((1, 2), (0.7, 0.3))
BUYER_CERT_WEIGHTS: dict[str, float] = {
    "oeko-tex-100": 1.0, "grs": 0.45, "iso-9001": 0.3, "bluesign": 0.22, "amfori-bsci": 0.2,
    "gots": 0.12, "higg-fem": 0.1, "zdhc": 0.1, "iso-14001": 0.08, "rcs": 0.08, "oeko-tex-step": 0.06,
    "ocs": 0.05, "iso-45001": 0.03,
}
BUYER_LEAD_TIMES = ((15, 20, 25, 30, 45, 60, 90), (0.06, 0.12, 0.1, 0.3, 0.22, 0.14, 0.06))
BUYER_VERIFIED_SHARE = 0.6
BUYER_NO_PRICE_SHARE = 0.05
BUYER_NO_LEAD_TIME_SHARE = 0.08

# Buyer countries: weight, share requiring certifications, language, company patterns,
# company words, first names, family names, and whether the family name comes first.
BUYER_COUNTRIES: tuple[dict, ...] = (
    {
        "country": "CN", "weight": 28, "certs": 0.15, "language": "zh-hans", "family_first": True,
        "patterns": ("{city}{word}服饰有限公司", "{city}{word}服装有限公司", "{city}{word}时装有限公司",
                     "{city}{word}纺织品贸易有限公司", "{city}{word}家纺有限公司"),
        "cities": ("杭州", "上海", "广州", "深圳", "宁波", "青岛", "厦门", "温州", "常熟", "北京", "义乌"),
        "words": ("美衣", "雅派", "衣尚", "锦绣", "恒美", "悦尚", "华裳", "优品", "云裳", "丽人", "佳韵", "织梦"),
        "first": ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "杰", "娟", "涛", "明", "霞", "平"),
        "family": ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "胡"),
    },
    {
        "country": "US", "weight": 8, "certs": 0.5, "language": "en",
        "patterns": ("{word} Apparel Inc.", "{word} Brands LLC", "{word} Sourcing Inc.", "{word} Outfitters Inc."),
        "words": ("Blue Ridge", "Hudson", "Pacific Crest", "Lakeshore", "Redwood", "Liberty", "Summit",
                  "Golden Gate", "Bayside", "Prairie", "Cascade", "Magnolia"),
        "first": ("James", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Ashley"),
        "family": ("Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Garcia", "Wilson"),
    },
    {
        "country": "BD", "weight": 7, "certs": 0.3, "language": "en",
        "patterns": ("{word} Apparels Ltd.", "{word} Knit Composite Ltd.", "{word} Garments Ltd.",
                     "{word} Fashions Ltd."),
        "words": ("Padma", "Meghna", "Jamuna", "Sonar Bangla", "Rupsha", "Karnaphuli", "Surma", "Dhaleshwari",
                  "Gazipur", "Ashulia"),
        "first": ("Mohammad", "Abdul", "Rafiqul", "Nasrin", "Farhana", "Kamal", "Shahid", "Tanvir"),
        "family": ("Rahman", "Hossain", "Islam", "Ahmed", "Chowdhury", "Uddin", "Khan", "Alam"),
    },
    {
        "country": "VN", "weight": 6, "certs": 0.25, "language": "en", "family_first": True,
        "patterns": ("{word} Garment JSC", "{word} Textile Garment Co., Ltd.", "{word} Fashion Co., Ltd."),
        "words": ("Viet Tien", "Hoa Tho", "Song Da", "Phuong Dong", "Thanh Long", "Binh Minh", "Sai Gon Moi",
                  "Ha Thanh"),
        "first": ("Van An", "Thi Lan", "Minh Tuan", "Thi Hoa", "Duc Anh", "Thu Trang", "Quang Huy", "Ngoc Mai"),
        "family": ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
    },
    {
        "country": "DE", "weight": 6, "certs": 0.65, "language": "en",
        "patterns": ("{word} Mode GmbH", "{word} Textilhandel GmbH", "{word} Bekleidung GmbH & Co. KG"),
        "words": ("Alster", "Hansa", "Nordlicht", "Rheinland", "Isar", "Elbe", "Schwarzwald", "Bergmann",
                  "Lindenhof", "Spree"),
        "first": ("Anna", "Lukas", "Julia", "Felix", "Laura", "Jonas", "Katrin", "Stefan"),
        "family": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"),
    },
    {
        "country": "IN", "weight": 5, "certs": 0.25, "language": "en",
        "patterns": ("{word} Exports Pvt. Ltd.", "{word} Fashions Pvt. Ltd.", "{word} Knitwear Pvt. Ltd."),
        "words": ("Ganga", "Laxmi", "Shree Sai", "Tirupur Star", "Narmada", "Kaveri", "Sagar", "Vrindavan"),
        "first": ("Rahul", "Priya", "Amit", "Sunita", "Vikram", "Anjali", "Rajesh", "Deepak"),
        "family": ("Sharma", "Patel", "Gupta", "Singh", "Mehta", "Iyer", "Reddy", "Agarwal"),
    },
    {
        "country": "TR", "weight": 5, "certs": 0.35, "language": "en",
        "patterns": ("{word} Tekstil A.Ş.", "{word} Konfeksiyon Ltd. Şti.", "{word} Moda A.Ş."),
        "words": ("Anadolu", "Ege", "Marmara", "Boğaziçi", "Kuzey", "Deniz", "Kartal", "Toros"),
        "first": ("Mehmet", "Ayşe", "Mustafa", "Fatma", "Emre", "Zeynep", "Burak", "Elif"),
        "family": ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan"),
    },
    {
        "country": "KR", "weight": 5, "certs": 0.4, "language": "en", "family_first": True,
        "patterns": ("{word} Fashion Co., Ltd.", "{word} Corporation", "{word} Global Co., Ltd."),
        "words": ("Hanbit", "Saerom", "Dongil", "Haneul", "Mirae", "Daehan", "Sejong", "Bomnal"),
        "first": ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Soo-ah", "Ji-woo", "Ye-jin"),
        "family": ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
    },
    {
        "country": "JP", "weight": 5, "certs": 0.5, "language": "en",
        "patterns": ("{word} Apparel Co., Ltd.", "{word} Shoji Co., Ltd.", "{word} Trading Co., Ltd."),
        "words": ("Sakura", "Yamato", "Asahi", "Hikari", "Midori", "Tokai", "Kawase", "Aozora"),
        "first": ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Kenji", "Yuko"),
        "family": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Nakamura", "Kobayashi"),
    },
    {
        "country": "IT", "weight": 4, "certs": 0.6, "language": "en",
        "patterns": ("{word} Moda S.r.l.", "Confezioni {word} S.p.A.", "{word} Tessuti S.r.l."),
        "words": ("Brera", "Arno", "Levante", "Portofino", "Navigli", "Dolomiti", "Vesuvio", "Adriatica"),
        "first": ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo"),
        "family": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
    },
    {
        "country": "FR", "weight": 4, "certs": 0.6, "language": "en",
        "patterns": ("{word} Couture SAS", "Maison {word}", "{word} Textiles SARL"),
        "words": ("Lumière", "Rivoli", "Belleville", "Montmartre", "Marais", "Provence", "Garonne", "Loire"),
        "first": ("Camille", "Louis", "Chloé", "Hugo", "Manon", "Lucas", "Léa", "Julien"),
        "family": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"),
    },
    {
        "country": "GB", "weight": 4, "certs": 0.6, "language": "en",
        "patterns": ("{word} Clothing Ltd", "{word} Fashion Group Ltd", "{word} Sourcing Ltd"),
        "words": ("Thames", "Pennine", "Highland", "Camden", "Marylebone", "Cotswold", "Mersey", "Kensington"),
        "first": ("Oliver", "Amelia", "George", "Isla", "Harry", "Emily", "Jack", "Sophie"),
        "family": ("Taylor", "Jones", "Evans", "Roberts", "Walker", "Wright", "Hughes", "Green"),
    },
    {
        "country": "PK", "weight": 3, "certs": 0.25, "language": "en",
        "patterns": ("{word} Textiles (Pvt) Ltd.", "{word} Apparel (Pvt) Ltd."),
        "words": ("Indus", "Ravi", "Chenab", "Margalla", "Sialkot", "Karakoram"),
        "first": ("Muhammad", "Ayesha", "Ali", "Sana", "Usman", "Hira"),
        "family": ("Qureshi", "Malik", "Butt", "Sheikh", "Raza", "Javed"),
    },
    {
        "country": "ES", "weight": 2, "certs": 0.55, "language": "en",
        "patterns": ("{word} Moda S.L.", "Confecciones {word} S.A."),
        "words": ("Ibérica", "Levante", "Mediterránea", "Castilla", "Galicia", "Triana"),
        "first": ("María", "Javier", "Lucía", "Pablo", "Carmen", "Diego"),
        "family": ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero"),
    },
    {
        "country": "ID", "weight": 2, "certs": 0.2, "language": "en",
        "patterns": ("PT {word} Garmindo", "PT {word} Tekstil Indonesia"),
        "words": ("Nusantara", "Sinar Mulia", "Cahaya", "Bintang", "Mega Jaya", "Sentosa"),
        "first": ("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri"),
        "family": ("Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama"),
    },
    {
        "country": "AE", "weight": 2, "certs": 0.2, "language": "en",
        "patterns": ("{word} Textiles Trading LLC", "{word} General Trading LLC"),
        "words": ("Al Noor", "Gulf Star", "Al Safa", "Desert Rose", "Al Khaleej", "Dune"),
        "first": ("Ahmed", "Fatima", "Omar", "Aisha", "Khalid", "Mariam"),
        "family": ("Al Mansoori", "Al Hashimi", "Haddad", "Al Suwaidi", "Khoury", "Nasser"),
    },
)

# The buyer demo login's profile: complete and fixed, so the walkthrough in the README holds.
DEMO_BUYER = {
    "name": "Anna Weber",
    "company": "Alster Mode GmbH",
    "country": "DE",
    "fabrics": ("chiffon", "georgette", "satin"),
    "processes": ("digital-printing", "pleating"),
    "fibres": ("polyester-fdy", "recycled-polyester"),
    "end_uses": ("womens-wear", "scarves"),
    "certifications_required": ("oeko-tex-100",),
    "order_quantity_m": 5000,
    "price_min_cny": Decimal("9.00"),
    "price_max_cny": Decimal("22.00"),
    "lead_time_days": 45,
}
