"""Word-level replacements applied during normalisation.

Keys are lower-case tokens as they appear after punctuation is stripped;
values are the standard Indonesian word(s) they stand for.  Three kinds of
entries, kept apart so each list can be reviewed on its own:

* chat abbreviations and slang common in survey answers ("yg", "sy", "dpn");
* informal spellings of business words ("londri", "olshop", "ojol"), mapped
  to the words KBLI's own titles use, so the KBLI descriptions that are part
  of the training text help classify informal answers;
* English business vocabulary, because some alumni answer in English.

Entries were written for this project from common usage; keep them
unambiguous: a token that means different things in different answers
(e.g. "art": "ART" household assistant vs "nail art") stays out.
"""

CHAT_ABBREVIATIONS = {
    "yg": "yang", "yng": "yang", "sy": "saya", "sya": "saya", "aq": "saya", "aku": "saya",
    "gw": "saya", "gue": "saya", "gua": "saya", "dgn": "dengan", "dg": "dengan", "dng": "dengan",
    "utk": "untuk", "untk": "untuk", "tdk": "tidak", "gak": "tidak",
    "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
    "dpn": "depan", "dkt": "dekat", "deket": "dekat", "rmh": "rumah", "rmah": "rumah",
    "jg": "juga", "jga": "juga", "sm": "sama", "sma": "sama", "tp": "tapi", "tpi": "tapi",
    "krn": "karena", "krna": "karena", "karna": "karena", "sdh": "sudah", "udh": "sudah",
    "udah": "sudah", "dah": "sudah", "blm": "belum", "blum": "belum", "bgt": "banget",
    "org": "orang", "orng": "orang", "tmn": "teman", "temen": "teman", "skrg": "sekarang",
    "skrang": "sekarang", "sekarng": "sekarang", "dr": "dari", "dri": "dari", "dlm": "dalam",
    "kpd": "kepada", "bbrp": "beberapa", "dll": "dan lain lain", "dsb": "dan sebagainya",
    "spt": "seperti", "kyk": "seperti", "kayak": "seperti", "klo": "kalau", "kalo": "kalau",
    "klu": "kalau", "lg": "lagi", "lgi": "lagi", "aja": "saja", "aj": "saja", "sj": "saja",
    "tiap2": "tiap", "hr": "hari", "thn": "tahun", "bln": "bulan", "mgg": "minggu",
    "pagi2": "pagi", "kpn": "kapan", "gmn": "bagaimana", "msh": "masih", "jd": "jadi",
    "jdi": "jadi", "trs": "terus", "trus": "terus", "pd": "pada", "sbg": "sebagai",
    "sblm": "sebelum", "stlh": "setelah", "abis": "habis", "kmrn": "kemarin", "bs": "bisa",
    "bsa": "bisa", "pke": "pakai", "pake": "pakai", "pk": "pakai", "pkai": "pakai",
    "byk": "banyak", "bnyk": "banyak", "sdikit": "sedikit", "dikit": "sedikit",
    "tsb": "tersebut", "sndiri": "sendiri", "sendri": "sendiri", "brg": "barang",
    "brng": "barang", "kcl": "kecil", "bsr": "besar", "tmpt": "tempat", "tmp": "tempat",
    "ank": "anak", "anak2": "anak", "ibu2": "ibu", "bpk": "bapak", "pak": "bapak",
    "kel": "kelurahan", "kec": "kecamatan", "kab": "kabupaten", "ds": "desa",
    "dg2": "dengan",
}

INFORMAL_BUSINESS_WORDS = {
    # trade
    "jualan": "jual", "jualn": "jual", "jualin": "jual", "dijual": "jual", "jual2an": "jual",
    "dagangan": "dagang", "berdagang": "dagang", "pedagang": "dagang",
    "olshop": "toko online", "olshp": "toko online", "olsop": "toko online",
    "onlineshop": "toko online", "onlen": "online", "onlin": "online", "onine": "online",
    "ol": "online", "daring": "online", "dropsip": "dropship", "dropshiper": "dropship",
    "dropshipper": "dropship", "reseler": "reseller", "resseller": "reseller",
    "tokped": "tokopedia", "toped": "tokopedia", "sopi": "shopee", "shoppe": "shopee",
    "wa": "whatsapp", "wasap": "whatsapp", "whatsap": "whatsapp", "ig": "instagram",
    "insta": "instagram", "fb": "facebook", "tiktokshop": "tiktok shop",
    "klontong": "kelontong", "klotong": "kelontong",
    "hp": "handphone", "henpon": "handphone", "konter": "counter",
    "ngewarung": "warung", "warkop": "warung kopi", "warteg": "warung makan tegal",
    "mkn": "makan", "makanan2": "makanan", "mnm": "minum", "mnman": "minuman",
    # production
    "bikin": "buat", "bkin": "buat", "bikinan": "buatan", "bkinan": "buatan", "ngebikin": "buat",
    "kripik": "keripik", "kerpik": "keripik", "kripca": "keripik",
    "jait": "jahit", "jhit": "jahit", "jahitan": "jahit", "nerima": "terima", "trima": "terima",
    "nanam": "tanam", "nanem": "tanam", "nandur": "tanam", "ngebor": "bor",
    "kue2": "kue", "homemade": "buatan rumah", "handmade": "buatan tangan",
    "frozenfood": "frozen food", "mebeul": "mebel", "meubel": "mebel", "furnitur": "mebel",
    # services
    "servise": "servis", "service": "servis", "sevice": "servis",
    "srvis": "servis", "svc": "servis", "reparasi": "servis", "benerin": "servis",
    "bngkel": "bengkel", "bengkl": "bengkel",
    "mtr": "motor", "motr": "motor", "mbl": "mobil", "mobl": "mobil",
    "laundri": "laundry", "londri": "laundry", "loundry": "laundry", "laundy": "laundry",
    "londre": "laundry", "laundri2": "laundry",
    "ojol": "ojek online", "ngojol": "ojek online", "ngojek": "ojek", "ojeg": "ojek",
    "gojek": "gojek ojek", "maxim": "maxim ojek", "grabbike": "grab ojek",
    "gocar": "gocar taksi online", "grabcar": "grabcar taksi online",
    "kurir2": "kurir", "paket2": "paket", "anterin": "antar", "nganter": "antar",
    "disain": "desain", "dsain": "desain", "design": "desain", "designer": "desainer",
    "les2an": "les", "ngelesin": "les", "ngajar": "mengajar", "ngaji": "mengaji",
    "kos2an": "kos", "kost": "kos", "kosan": "kos", "kostan": "kos", "ngekos": "kos",
    "sewain": "sewa", "nyewain": "sewa", "nyewa": "sewa", "rental": "sewa rental",
    "rentalan": "sewa rental", "fotocopy": "fotokopi", "fotocopi": "fotokopi",
    "photocopy": "fotokopi", "potokopi": "fotokopi",
    "mua": "makeup artist rias", "ternakk": "ternak", "ngternak": "ternak",
    "ngegrab": "grab ojek", "nyupir": "sopir", "supir": "sopir", "driver": "sopir driver",
}

ENGLISH_TO_INDONESIAN = {
    "sell": "jual", "selling": "jual", "sells": "jual", "sold": "jual", "seller": "penjual",
    "shop": "toko", "store": "toko", "stall": "warung", "kiosk": "kios", "grocery": "sembako",
    "groceries": "sembako", "coffee": "kopi", "food": "makanan", "foods": "makanan",
    "drink": "minuman", "drinks": "minuman", "beverage": "minuman", "beverages": "minuman",
    "cake": "kue", "cakes": "kue", "cookies": "kue kering", "cookie": "kue kering",
    "bread": "roti", "bakery": "roti kue", "snack": "camilan", "snacks": "camilan",
    "chips": "keripik", "clothes": "pakaian", "clothing": "pakaian", "fashion": "pakaian",
    "shoes": "sepatu", "bag": "tas", "bags": "tas", "tailor": "penjahit", "tailoring": "jahit",
    "sewing": "jahit", "repair": "servis", "repairs": "servis", "phone": "handphone",
    "phones": "handphone", "motorcycle": "motor", "motorbike": "motor", "car": "mobil",
    "cars": "mobil", "farm": "tani", "farming": "tani", "farmer": "petani", "rice": "padi beras",
    "vegetable": "sayur", "vegetables": "sayur", "fruit": "buah", "fruits": "buah",
    "fish": "ikan", "fishing": "tangkap ikan", "fisherman": "nelayan", "chicken": "ayam",
    "chickens": "ayam", "goat": "kambing", "goats": "kambing", "cattle": "sapi", "cow": "sapi",
    "cows": "sapi", "livestock": "ternak", "barber": "pangkas rambut",
    "haircut": "pangkas rambut", "tutor": "les privat", "tutoring": "les privat",
    "teacher": "guru", "teaching": "mengajar", "course": "kursus", "courses": "kursus",
    "graphic": "grafis", "photography": "fotografi", "photographer": "fotografer",
    "photo": "foto", "taxi": "taksi", "courier": "kurir", "delivery": "antar",
    "transport": "angkutan", "construction": "konstruksi bangunan", "builder": "tukang bangunan",
    "renovation": "renovasi", "workshop": "bengkel", "restaurant": "restoran",
    "catering": "katering", "rent": "sewa", "rental": "sewa rental", "house": "rumah",
    "houses": "rumah", "boarding": "kos", "printing": "percetakan", "furniture": "mebel",
    "wood": "kayu", "embroidery": "bordir", "cleaning": "kebersihan", "massage": "pijat",
    "beauty": "kecantikan", "hair": "rambut",
    "small": "kecil", "home": "rumah", "homemade": "buatan rumah", "my": "saya",
    "i": "saya", "we": "kami", "and": "dan", "make": "buat", "making": "buat", "made": "buat",
    "produce": "produksi", "breeding": "ternak", "raising": "ternak", "pond": "kolam",
    "web": "website", "developer": "pengembang", "app": "aplikasi", "apps": "aplikasi",
    "editor": "editor", "translator": "penerjemah", "translation": "terjemahan",
    "wedding": "pernikahan", "weddings": "pernikahan", "event": "acara", "events": "acara",
    "organizer": "organizer", "driving": "mengemudi",
    "used": "bekas", "secondhand": "bekas", "second": "bekas", "cosmetics": "kosmetik",
    "skincare": "skincare kosmetik", "makeup": "makeup rias", "cafe": "kafe",
}

REGIONAL_WORDS = {
    # Everyday Javanese, Sundanese, Minangkabau and Betawi words for common
    # businesses, mapped to the Indonesian words KBLI titles use.  Words
    # that are also ordinary Indonesian with another meaning ("pare" bitter
    # gourd, "lauk" side dish, "samba") stay out.
    # Javanese
    "dodolan": "jual", "adol": "jual", "bakul": "pedagang", "sego": "nasi", "iwak": "ikan",
    "pitik": "ayam", "wedus": "kambing", "macul": "cangkul", "pari": "padi",
    "lombok": "cabai", "tela": "singkong", "telo": "singkong", "pohong": "singkong",
    "ngingu": "ternak", "ngingon": "ternak", "angon": "gembala ternak", "gawe": "buat",
    "ndandani": "servis", "omah": "rumah", "omahe": "rumah", "dhewe": "sendiri", "dewe": "sendiri",
    "blumbang": "kolam", "segoro": "laut", "miyang": "melaut", "golek": "cari",
    "klambi": "baju", "njahit": "jahit", "mbatik": "batik", "nukang": "tukang",
    "mbengkel": "bengkel", "nyopir": "sopir", "rewang": "asisten rumah tangga",
    "mijet": "pijat", "wedang": "minuman", "tegalan": "ladang", "kagungan": "milik",
    "ngarep": "depan", "neng": "di", "ning": "di", "nang": "di", "lan": "dan", "karo": "dan",
    "cilik": "kecil", "resik": "bersih", "endog": "telur", "ider": "keliling", "bukak": "buka",
    "saka": "dari", "nyunggi": "gendong",
    # Sundanese
    "ngical": "jual", "icalan": "jual", "sangu": "nasi", "hayam": "ayam", "melak": "tanam",
    "balong": "kolam", "cengek": "cabai", "kebon": "kebun", "ngebon": "kebun", "nyieun": "buat",
    "kiripik": "keripik", "miara": "ternak", "jeung": "dan", "cau": "pisang", "imah": "rumah",
    "leutik": "kecil", "kueh": "kue",
    # Minangkabau
    "manggaleh": "dagang", "galeh": "dagang", "lapau": "warung", "ketek": "kecil",
    "kampuang": "kampung", "batanam": "tanam", "malauik": "melaut", "mancari": "cari",
    "karambia": "kelapa", "parak": "kebun", "bakabun": "kebun", "jawi": "sapi",
    "mamaliaro": "ternak", "bapaliaro": "ternak", "itiak": "itik", "lado": "cabai",
    "karupuak": "kerupuk", "manjaik": "jahit", "pasanan": "pesanan", "surang": "sendiri",
    "pasa": "pasar", "rambuik": "rambut", "kadai": "kedai",
    # Betawi
    "aye": "saya", "nyang": "yang",
}

SMS_ABBREVIATIONS = {
    # Vowel-less spellings frequent enough to list; rarer ones are expanded
    # by the model's VowelRestorer from its own vocabulary.
    "pls": "pulsa", "pulsaa": "pulsa", "kpi": "kopi", "bks": "bakso", "bkso": "bakso",
    "wrg": "warung", "wrng": "warung", "wrkp": "warung kopi", "sbk": "sembako", "sbko": "sembako",
    "nsi": "nasi", "mkn": "makan", "krpk": "keripik", "krupk": "kerupuk", "jht": "jahit",
    "jhtn": "jahit", "bju": "baju", "bngkl": "bengkel", "srvs": "servis", "trnk": "ternak",
    "ikn": "ikan", "aym": "ayam", "kmbng": "kambing", "syr": "sayur", "psr": "pasar",
    "onln": "online", "olsp": "toko online", "drpsp": "dropship", "ojk": "ojek", "ojl": "ojek online",
    "drvr": "sopir driver", "krir": "kurir", "pkt": "paket", "ktrng": "katering",
    "dsain": "desain", "dsn": "desain", "prdksi": "produksi", "prdks": "produksi", "tkng": "tukang",
    "kntrkn": "kontrakan", "ftkpi": "fotokopi", "laundr": "laundry", "lndry": "laundry",
    "mbel": "mebel", "hndphn": "handphone", "jsa": "jasa", "ft": "foto", "bkn": "buat",
    "nnm": "tanam", "swh": "sawah", "brngn": "borongan", "bgn": "bangun", "swa": "sewa",
    "rmbt": "rambut", "pngks": "pangkas", "sln": "salon", "kcntkn": "kecantikan", "agn": "agen",
    "kngkg": "kangkung", "bym": "bayam", "psg": "pasang", "pcl": "pecel", "bh": "buah",
    "rmpyk": "rempeyek", "kcng": "kacang", "dpot": "depot", "minm": "minum", "brbrshp": "barbershop",
    "wdng": "pernikahan", "prwdng": "prewedding foto", "wbst": "website", "bka": "buka",
    "bsh": "basah", "ringn": "ringan", "ngrjkn": "kerjakan", "ptng": "potong", "kllg": "keliling",
}

ENGLISH_EXTRA = {
    # More English business words (same rule: only unambiguous tokens).
    "tea": "teh", "juice": "jus", "garment": "konveksi pakaian", "producing": "produksi",
    "shirts": "kaos", "tshirts": "kaos", "growing": "tanam", "leafy": "daun", "renting": "sewa",
    "shops": "toko", "midwife": "bidan", "clinic": "klinik", "coach": "pelatih", "swimming": "renang",
    "veterinary": "dokter hewan", "scrap": "rongsok", "collector": "pengepul", "installation": "pasang instalasi",
    "conditioner": "ac", "services": "jasa", "shopper": "jasa titip", "buying": "beli",
    "customers": "pelanggan", "fresh": "segar", "dumplings": "pangsit", "nuggets": "nugget",
    "refill": "isi ulang", "drinking": "minum", "water": "air", "dresses": "baju", "carpentry": "tukang kayu",
    "handicraft": "kerajinan", "souvenirs": "souvenir", "recycled": "daur ulang", "hijabs": "hijab",
    "accessories": "aksesoris", "computer": "komputer", "fridges": "kulkas", "fridge": "kulkas",
    "washing": "cuci", "machines": "mesin", "bridal": "pengantin", "truck": "truk",
    "transporting": "angkut", "goods": "barang", "packages": "paket", "delivering": "antar",
    "hens": "ayam", "eggs": "telur", "laying": "petelur", "beef": "sapi potong", "fattening": "penggemukan",
    "catfish": "lele", "ponds": "kolam", "tarpaulin": "terpal", "ornamental": "hias", "freelance": "lepas",
    "marketing": "pemasaran", "ads": "iklan", "advertising": "iklan", "agency": "agen",
    "videographer": "video", "videos": "video", "websites": "website", "private": "privat",
    "students": "siswa", "school": "sekolah", "children": "anak", "therapist": "terapis",
    "rooms": "kamar", "tourists": "wisatawan", "travel": "perjalanan wisata", "agent": "agen",
    "tour": "wisata", "birthday": "ulang tahun", "parties": "pesta", "contractor": "kontraktor",
    "welding": "las", "fences": "pagar", "waste": "sampah", "garbage": "sampah", "cash": "tunai",
    "withdrawal": "tarik", "singer": "penyanyi", "musician": "musisi", "domestic": "rumah tangga",
    "helper": "asisten", "pet": "hewan peliharaan", "grooming": "perawatan", "noodles": "mie",
    "meatball": "bakso", "soup": "sup", "fried": "goreng", "lunch": "makan siang", "daily": "harian",
    "factory": "pabrik", "workers": "pekerja", "mechanic": "montir", "seamstress": "penjahit",
    "laundry": "laundry", "groceries": "sembako", "bakso": "bakso",
}

REPLACEMENTS: dict[str, str] = {
    **REGIONAL_WORDS,
    **SMS_ABBREVIATIONS,
    **ENGLISH_EXTRA,
    **ENGLISH_TO_INDONESIAN,
    **INFORMAL_BUSINESS_WORDS,
    **CHAT_ABBREVIATIONS,
}
"""All token replacements; later dictionaries win on (rare) key clashes."""
