"""The report's words in Indonesian and English."""
from __future__ import annotations

TEXT = {
    "title": {"id": "Laporan studi penelusuran alumni", "en": "Alumni tracer study report"},
    "wave": {"id": "Gelombang", "en": "Wave"},
    "made": {"id": "Dibuat dari ekspor data", "en": "Built from the dataset exported"},
    "synthetic": {"id": "Data sintetis (bukan data program).", "en": "Synthetic data (not programme data)."},
    "headline": {"id": "Angka utama", "en": "Headline numbers"},
    "headline_intro": {
        "id": "Perkiraan tertimbang untuk seluruh alumni di daftar peserta, dengan selang kepercayaan 95%. "
              "n = jumlah responden di balik angka (tanpa bobot).",
        "en": "Weighted estimates for all alumni on the roster, with 95% confidence intervals. "
              "n = number of respondents behind each figure (unweighted)."},
    "runs_business": {"id": "Menjalankan usaha (utama atau sampingan)", "en": "Run a business (main or side)"},
    "in_line_by_map": {"id": "Usaha sejalan dengan pelatihan (peta sektor)",
                       "en": "Business in line with a training (sector map)"},
    "in_line_by_answer": {"id": "Usaha terkait pelatihan (jawaban sendiri)",
                          "en": "Business related to a training (own answer)"},
    "started_after": {"id": "Usaha dimulai setelah pelatihan", "en": "Business started after the training"},
    "of_alumni": {"id": "dari alumni", "en": "of alumni"},
    "of_businesses": {"id": "dari usaha", "en": "of businesses"},
    "response": {"id": "Tingkat respons", "en": "Response"},
    "response_intro": {
        "id": "Respons = kuesioner yang dikirim lengkap; sebagian dan menolak dihitung sebagai tidak merespons.",
        "en": "A response is a submitted questionnaire; partial and declined count as non-response."},
    "business_rate": {"id": "Alumni yang menjalankan usaha, menurut kategori pelatihan",
                      "en": "Alumni running a business, by training category"},
    "category_note": {"id": "Seseorang dihitung di setiap kategori pelatihan yang diikutinya.",
                      "en": "A person counts in every category they took a training in."},
    "sector_mix": {"id": "Sektor usaha (KBLI 2020)", "en": "Business sectors (KBLI 2020)"},
    "sections": {"id": "Kategori KBLI", "en": "KBLI sections"},
    "divisions": {"id": "Golongan pokok terbanyak", "en": "Top divisions"},
    "coverage": {"id": "usaha memiliki kode KBLI; {review} di antaranya masih menunggu pemeriksaan.",
                 "en": "businesses have a KBLI code; {review} of them still await review."},
    "alignment": {"id": "Kesesuaian usaha dengan pelatihan", "en": "Alignment of businesses with trainings"},
    "alignment_intro": {
        "id": "Peta sektor: golongan pokok KBLI usaha termasuk yang dianggap sejalan dengan salah satu pelatihan "
              "yang diikuti (seeds/training_sector_map.csv). Jawaban sendiri: responden menyatakan memulai usaha "
              "karena pelatihan atau pelatihan membantu usahanya.",
        "en": "Sector map: the business's KBLI division is one the map (seeds/training_sector_map.csv) lists as in "
              "line with a training the person took. Own answer: the owner says they started the business because "
              "of the training, or that it helped an existing business."},
    "disagreements": {"id": "Peta sektor dibandingkan jawaban sendiri", "en": "Sector map against the owner's answer"},
    "started": {"id": "Usaha dimulai setelah pelatihan", "en": "Businesses started after the training"},
    "started_intro": {
        "id": "Menurut tanggal: bulan mulai usaha setelah bulan pelatihan pertama selesai. Menurut jawaban: "
              "\"usaha baru, dimulai setelah pelatihan\" (ditanyakan bila usaha adalah pekerjaan utama).",
        "en": "By date: the business started in a later month than the first training was completed. By answer: "
              "\"a new business, started after the training\" (asked when the business is the main job)."},
    "revenue": {"id": "Omzet bulanan menurut sektor", "en": "Monthly revenue by sector"},
    "crosstab": {"id": "Kategori pelatihan × sektor usaha", "en": "Training category × business sector"},
    "crosstab_intro": {
        "id": "Lift = bagian sektor di antara usaha alumni kategori ini dibagi bagian sektor di semua usaha; "
              "di atas 1 berarti lebih sering dari rata-rata. Hanya sel dengan n ≥ 5 ditampilkan; CSV memuat semua.",
        "en": "Lift = the sector's share among businesses of this category's alumni divided by its share among all "
              "businesses; above 1 means more common than average. Cells with n ≥ 5 shown; the CSV has all."},
    "weights": {"id": "Bagaimana pembobotan mengubah gambaran", "en": "How the weights changed the picture"},
    "weights_intro": {
        "id": "Yang menjawab survei bukan cerminan semua alumni. Bobot (raking) membuat responden sama dengan daftar "
              "peserta menurut provinsi, jenis kelamin, kelompok umur, kategori pelatihan dan gelombang.",
        "en": "Those who answered are not a mirror of all alumni. Raking weights make respondents match the roster "
              "by province, sex, age group, training category and cohort."},
    "diagnostics": {"id": "Diagnostik bobot", "en": "Weight diagnostics"},
    "margins": {"id": "Komposisi: daftar peserta, responden, responden tertimbang",
                "en": "Composition: roster, respondents, weighted respondents"},
    "methods": {"id": "Metode dan keterbatasan", "en": "Methods and limitations"},
    "group": {"id": "Kelompok", "en": "Group"}, "estimate": {"id": "Perkiraan", "en": "Estimate"},
    "ci": {"id": "SK 95%", "en": "95% CI"}, "unweighted": {"id": "Tanpa bobot", "en": "Unweighted"},
    "weighted": {"id": "Tertimbang", "en": "Weighted"}, "difference": {"id": "Selisih", "en": "Difference"},
    "small": {"id": "n < 30: hati-hati", "en": "n < 30: interpret with care"},
    "examples": {"id": "Contoh jawaban", "en": "Example answers"},
    "roster": {"id": "Daftar peserta", "en": "Roster"}, "invited": {"id": "Diundang", "en": "Invited"},
    "submitted": {"id": "Lengkap", "en": "Submitted"}, "partial": {"id": "Sebagian", "en": "Partial"},
    "declined": {"id": "Menolak", "en": "Declined"}, "rate": {"id": "Tingkat respons", "en": "Response rate"},
    "by_category": {"id": "Menurut kategori pelatihan", "en": "By training category"},
    "by_province": {"id": "Menurut provinsi", "en": "By province"},
    "map": {"id": "Peta sektor", "en": "Sector map"}, "map_category": {"id": "Peta: pelatihan kategori ini",
                                                                           "en": "Map: training of this category"},
    "own": {"id": "Jawaban sendiri", "en": "Own answer"}, "businesses": {"id": "Usaha", "en": "Businesses"},
    "map_only": {"id": "Hanya peta", "en": "Map only"}, "own_only": {"id": "Hanya jawaban", "en": "Answer only"},
    "by_date": {"id": "Menurut tanggal", "en": "By date"}, "by_answer": {"id": "Menurut jawaban", "en": "By answer"},
    "either": {"id": "Salah satu", "en": "Either"},
    "median": {"id": "Median", "en": "Median"}, "iqr": {"id": "Kuartil 1–3", "en": "Quartiles 1–3"},
    "profit": {"id": "Median laba", "en": "Median profit"},
    "category": {"id": "Kategori pelatihan", "en": "Training category"}, "sector": {"id": "Sektor", "en": "Sector"},
    "share": {"id": "Bagian", "en": "Share"}, "lift": {"id": "Lift", "en": "Lift"},
    "margin": {"id": "Variabel", "en": "Margin"}, "level": {"id": "Nilai", "en": "Level"},
    "tables_note": {"id": "Semua tabel juga tersedia sebagai CSV di folder tables/.",
                    "en": "Every table is also in the tables/ folder as CSV."},
    "legend_weighted": {"id": "tertimbang, SK 95%", "en": "weighted, 95% CI"},
    "legend_unweighted": {"id": "tanpa bobot", "en": "unweighted"},
    "agreement": {"id": "Kesesuaian", "en": "Agreement"},
    "both related": {"id": "Keduanya: terkait", "en": "Both: related"},
    "both unrelated": {"id": "Keduanya: tidak terkait", "en": "Both: unrelated"},
    "map only": {"id": "Hanya peta: sejalan", "en": "Map only: in line"},
    "own answer only": {"id": "Hanya jawaban: terkait", "en": "Own answer only: related"},
    "unknown": {"id": "Tidak diketahui (belum dikode)", "en": "Unknown (not coded)"},
}

DIAGNOSTICS = {
    "n": {"id": "Responden", "en": "Respondents"}, "population": {"id": "Populasi (daftar)", "en": "Population (roster)"},
    "min": {"id": "Bobot terkecil", "en": "Smallest weight"}, "max": {"id": "Bobot terbesar", "en": "Largest weight"},
    "ratio": {"id": "Rasio terbesar/terkecil", "en": "Largest/smallest"},
    "deff_kish": {"id": "Efek desain Kish (1 + CV²)", "en": "Kish design effect (1 + CV²)"},
    "n_effective": {"id": "n efektif", "en": "Effective n"},
    "trimmed": {"id": "Bobot dipangkas (putaran terakhir)", "en": "Weights trimmed (last round)"},
    "converged": {"id": "Konvergen", "en": "Converged"},
}

METHODS = {
    "en": [
        "Respondents are alumni whose questionnaire was submitted. The population is every alumnus on the roster "
        "(alumni.csv), which lists everyone whether invited or not.",
        "Weights: raking (iterative proportional fitting) of respondents to the roster's counts by province, sex, "
        "age group at the wave's year, each training category (took / did not take) and cohort. Levels with fewer "
        "than 10 respondents are pooled. Weights above 5× the median are cut and the raking repeated.",
        "Confidence intervals: Taylor linearisation treating the raked weights as calibration weights (residuals "
        "on the raking margins), with-replacement variance, no finite-population correction; Wilson intervals with "
        "the effective sample size for shares, Woodruff intervals for medians.",
        "Weighting corrects for who answered only as far as the five margins explain it. If, within the same "
        "province, sex, age group, training category and cohort, business owners answered more often than "
        "others, the estimates remain biased; the intervals do not include that bias.",
        "Sectors come from KBLI codes of the business descriptions (codes.csv): automatic codes, codes chosen by a "
        "person, and model suggestions still awaiting review. Businesses without a code are left out of sector "
        "tables.",
        "\"In line\" by the sector map is a judgement written down in seeds/training_sector_map.csv with a "
        "rationale per row; change the file to test other judgements. The owner's own answer is a second, "
        "independent view; neither is the truth.",
        "Figures with n < 30 are flagged: their intervals are wide and the normal approximations weaker.",
    ],
    "id": [
        "Responden adalah alumni yang mengirim kuesioner lengkap. Populasinya adalah semua alumni di daftar peserta "
        "(alumni.csv), yang memuat semua orang, diundang atau tidak.",
        "Bobot: raking (iterative proportional fitting) responden ke jumlah di daftar peserta menurut provinsi, "
        "jenis kelamin, kelompok umur pada tahun gelombang, tiap kategori pelatihan (ikut / tidak) dan angkatan. "
        "Nilai dengan kurang dari 10 responden digabung. Bobot di atas 5× median dipangkas lalu raking diulang.",
        "Selang kepercayaan: linearisasi Taylor dengan bobot raking sebagai bobot kalibrasi (residu terhadap "
        "variabel raking), varians dengan pengembalian, tanpa koreksi populasi terhingga; selang Wilson dengan "
        "ukuran sampel efektif untuk proporsi, selang Woodruff untuk median.",
        "Pembobotan hanya mengoreksi siapa yang menjawab sejauh dijelaskan kelima variabel itu. Bila di provinsi, "
        "jenis kelamin, umur, kategori pelatihan dan angkatan yang sama pemilik usaha lebih sering menjawab, "
        "perkiraan tetap bias; selang kepercayaan tidak mencakup bias itu.",
        "Sektor berasal dari kode KBLI deskripsi usaha (codes.csv): kode otomatis, kode pilihan petugas, dan saran "
        "model yang masih menunggu pemeriksaan. Usaha tanpa kode tidak masuk tabel sektor.",
        "\"Sejalan\" menurut peta sektor adalah penilaian yang ditulis di seeds/training_sector_map.csv beserta "
        "alasannya; ubah berkas itu untuk menguji penilaian lain. Jawaban responden sendiri adalah pandangan kedua "
        "yang terpisah; keduanya bukan kebenaran mutlak.",
        "Angka dengan n < 30 ditandai: selangnya lebar dan pendekatan normalnya lebih lemah.",
    ],
}


def t(key: str, lang: str) -> str:
    """The text ``key`` in ``lang``."""
    return TEXT[key][lang]
