import type { CatalogEntry } from './catalog.js';

/**
 * The small national code tables whose codes are confirmed by the specifications and samples at hand. They
 * are plain data: an operator extends or replaces any of them with an override
 * file (see overrides.ts), which is the way to add the codes we could not find.
 */
export interface BuiltinTable {
  description: string;
  source: string;
  entries: CatalogEntry[];
}

const DVCQG_SPEC = 'DVCQG population-sync integration spec (code meanings as used by OpenCPS)';

export const sex: BuiltinTable = {
  description: 'Giới tính (sex), as the population database codes it',
  source: DVCQG_SPEC,
  entries: [
    { code: '0', vi: 'Chưa có thông tin', en: 'No information' },
    { code: '1', vi: 'Nam', en: 'Male' },
    { code: '2', vi: 'Nữ', en: 'Female' },
  ],
};

export const maritalStatus: BuiltinTable = {
  description: 'Tình trạng hôn nhân (marital status)',
  source: DVCQG_SPEC,
  entries: [
    { code: '0', vi: 'Chưa có thông tin', en: 'No information' },
    { code: '1', vi: 'Chưa kết hôn', en: 'Never married' },
    { code: '2', vi: 'Đang có vợ/chồng', en: 'Married' },
    { code: '3', vi: 'Đã ly hôn hoặc góa vợ/chồng', en: 'Divorced or widowed' },
  ],
};

export const bloodGroup: BuiltinTable = {
  description: 'Nhóm máu (blood group)',
  source: DVCQG_SPEC,
  entries: [
    { code: '00', vi: 'Chưa có thông tin', en: 'No information' },
    { code: '01', vi: 'Nhóm máu A', en: 'Blood group A', aliases: ['A'] },
    { code: '02', vi: 'Nhóm máu B', en: 'Blood group B', aliases: ['B'] },
    { code: '03', vi: 'Nhóm máu AB', en: 'Blood group AB', aliases: ['AB'] },
    { code: '04', vi: 'Nhóm máu O', en: 'Blood group O', aliases: ['O'] },
  ],
};

// 01–14: QCVN 109:2017/BTTTT Annex G (the QĐ 1019/QĐ-TCTK list, 14 added by
// QĐ 132/QĐ-TGCP of 30/5/2014); 00 "none" is not in the annex, it is what the
// NPD sends (DOMAIN.md sample).
// [code, Vietnamese name, English name (ours), aliases?]
const RELIGIONS: ReadonlyArray<readonly [string, string, string, string[]?]> = [
  ['00', 'Không', 'None'],
  ['01', 'Phật giáo', 'Buddhism'],
  ['02', 'Công giáo', 'Catholicism', ['Thiên Chúa giáo']],
  ['03', 'Phật giáo Hoà Hảo', 'Hoa Hao Buddhism', ['Phật giáo Hòa Hảo']],
  ['04', 'Hồi giáo', 'Islam'],
  ['05', 'Cao Đài', 'Caodaism'],
  ['06', 'Minh Sư đạo', 'Minh Su Dao'],
  ['07', 'Minh Lý đạo', 'Minh Ly Dao'],
  ['08', 'Tin Lành', 'Protestantism'],
  ['09', 'Tịnh độ Cư sĩ Phật hội Việt Nam', 'Pure Land Buddhist Home Practice Association'],
  ['10', 'Đạo Tứ Ấn Hiếu Nghĩa', 'Tu An Hieu Nghia'],
  ['11', 'Bửu Sơn Kỳ Hương', 'Buu Son Ky Huong'],
  ['12', "Đạo Ba Ha'i", "Baha'i Faith"],
  ['13', 'Bà La Môn', 'Brahmanism'],
  ['14', 'Mặc Môn', 'Latter-day Saints', ['Giáo hội Các Thánh hữu Ngày sau của Chúa Giêsu Kytô']],
];

/** A table row as a catalog entry (aliases only when there are some). */
const tableEntry = ([code, vi, en, aliases]: readonly [string, string, string, string[]?]) =>
  aliases ? { code, vi, en, aliases } : { code, vi, en };

export const religion: BuiltinTable = {
  description: 'Tôn giáo (religion): 00 none, 01–14 as QCVN 109:2017 Annex G numbers them',
  source:
    'QCVN 109:2017/BTTTT Annex G (Danh mục tôn giáo Việt Nam, QĐ 1019/QĐ-TCTK ngày 12/11/2008; 14 per QĐ 132/QĐ-TGCP 2014); 00 from the NPD reply sample; English names are ours',
  entries: RELIGIONS.map(tableEntry),
};

// Only CH01 is confirmed. QCVN 109:2017 has no annex for it (its annexes are A–H:
// model, rules, schemas, sample, E ethnicity, G religion, H countries); the
// TT 55/2021/TT-BCA art. 6 list (amended by TT 66/2023/TT-BCA) was not found.
export const householdRelation: BuiltinTable = {
  description: 'Quan hệ với chủ hộ (relationship to the head of household); only CH01 is confirmed',
  source: 'NPD response sample (ChuHo/QuanHe CH01); TT 55/2021/TT-BCA art. 6 list not found',
  entries: [{ code: 'CH01', vi: 'Chủ hộ', en: 'Head of household' }],
};

// The 54 groups once: [QĐ 121-TCTK/PPCĐ code, Vietnamese name as that list writes it,
// our English transliteration, aliases?]. The QĐ 1019/QĐ-TCTK numbering below
// reuses these entries in its own order.
const ETHNIC_GROUPS: ReadonlyArray<readonly [string, string, string, string[]?]> = [
  ['01', 'Kinh', 'Kinh', ['Việt', 'Kinh (Việt)']],
  ['02', 'Tày', 'Tay'],
  ['03', 'Thái', 'Thai'],
  ['04', 'Hoa', 'Hoa (Chinese)', ['Hoa (Hán)']],
  ['05', 'Khơ-me', 'Khmer', ['Khmer', 'Khơ Me', 'Khơ me']],
  ['06', 'Mường', 'Muong'],
  ['07', 'Nùng', 'Nung'],
  ['08', 'HMông', 'Hmong', ['Mông', "H'Mông", "H'mông (Mèo)"]],
  ['09', 'Dao', 'Dao'],
  ['10', 'Gia-rai', 'Jarai', ['Gia Rai']],
  ['11', 'Ngái', 'Ngai'],
  ['12', 'Ê-đê', 'Rhade (E De)', ['Ê Đê']],
  ['13', 'Ba na', 'Bahnar (Ba Na)', ['Ba Na', 'Ba-na']],
  ['14', 'Xơ-Đăng', 'Sedang (Xo Dang)', ['Xơ Đăng']],
  ['15', 'Sán Chay', 'San Chay', ['Sán Chay (Cao Lan-Sán Chỉ)']],
  ['16', 'Cơ-ho', 'Koho (Co Ho)', ['Cơ Ho']],
  ['17', 'Chăm', 'Cham'],
  ['18', 'Sán Dìu', 'San Diu'],
  ['19', 'Hrê', 'Hre'],
  ['20', 'Mnông', 'Mnong', ['Mơ Nông']],
  ['21', 'Ra-glai', 'Raglai', ['Ra Glai']],
  ['22', 'Xtiêng', 'Stieng (Xtieng)'],
  ['23', 'Bru-Vân Kiều', 'Bru-Van Kieu', ['Bru Vân Kiều']],
  ['24', 'Thổ', 'Tho'],
  ['25', 'Giáy', 'Giay'],
  ['26', 'Cơ-tu', 'Co Tu', ['Cơ Tu']],
  ['27', 'Gié Triêng', 'Gie Trieng', ['Giẻ-Triêng', 'Giẻ Triêng']],
  ['28', 'Mạ', 'Ma'],
  ['29', 'Khơ-mú', 'Khmu (Kho Mu)', ['Khơ Mú', 'Khơ mú']],
  ['30', 'Co', 'Co'],
  ['31', 'Tà-ôi', 'Ta Oi', ['Tà Ôi']],
  ['32', 'Chơ-ro', 'Cho Ro', ['Chơ Ro']],
  ['33', 'Kháng', 'Khang'],
  ['34', 'Xinh-mun', 'Xinh Mun', ['Xinh Mun']],
  ['35', 'Hà Nhì', 'Ha Nhi'],
  ['36', 'Chu ru', 'Chu Ru', ['Chu Ru']],
  ['37', 'Lào', 'Lao'],
  ['38', 'La Chí', 'La Chi'],
  ['39', 'La Ha', 'La Ha'],
  ['40', 'Phù Lá', 'Phu La'],
  ['41', 'La Hủ', 'La Hu'],
  ['42', 'Lự', 'Lu'],
  ['43', 'Lô Lô', 'Lo Lo'],
  ['44', 'Chứt', 'Chut'],
  ['45', 'Mảng', 'Mang'],
  ['46', 'Pà Thẻn', 'Pa Then'],
  ['47', 'Co Lao', 'Co Lao', ['Cơ Lao', 'Cờ Lao']],
  ['48', 'Cống', 'Cong'],
  ['49', 'Bố Y', 'Bo Y'],
  ['50', 'Si La', 'Si La'],
  ['51', 'Pu Péo', 'Pu Peo'],
  ['52', 'Brâu', 'Brau'],
  ['53', 'Ơ Đu', 'O Du'],
  ['54', 'Rơ măm', 'Ro Mam', ['Rơ Măm']],
];

/**
 * QĐ 1019/QĐ-TCTK (12/11/2008) numbering, the one QCVN 109:2017/BTTTT Annex E
 * reproduces: position i holds the QĐ 121 code of group i + 1 (04 Mường, 05
 * Khơ me, 06 Hoa, … 43 Ngái, … 54 Ơ Đu). See docs/catalogs.md for what of it
 * was checked against which copy.
 */
const QD1019_ORDER = [
  '01', '02', '03', '06', '05', '04', '07', '08', '09', '10',
  '12', '13', '15', '17', '16', '14', '18', '19', '21', '20',
  '24', '22', '29', '23', '26', '25', '31', '28', '27', '30',
  '32', '34', '35', '36', '37', '38', '33', '40', '41', '39',
  '46', '42', '11', '44', '43', '45', '47', '49', '48', '50',
  '51', '54', '52', '53',
] as const; // prettier-ignore

export type EthnicityNumbering = 'qd1019-2008' | 'qd121-1979';

/** The numbering the population database's messages use (QCVN 109:2017/BTTTT Annex E). */
export const DEFAULT_ETHNICITY_NUMBERING: EthnicityNumbering = 'qd1019-2008';

const byQd121 = new Map(ETHNIC_GROUPS.map((g) => [g[0], g]));
/** A group under the code one numbering gives it. */
const ethnicEntry = (code: string, [, vi, en, aliases]: (typeof ETHNIC_GROUPS)[number]) =>
  tableEntry([code, vi, en, aliases]);

export const ethnicityNumberings: Readonly<Record<EthnicityNumbering, BuiltinTable>> = {
  'qd1019-2008': {
    description: 'Dân tộc (ethnic group), 54 groups numbered as QĐ 1019/QĐ-TCTK (2008)',
    source:
      'QCVN 109:2017/BTTTT Annex E (Danh mục dân tộc Việt Nam, ban hành theo QĐ 1019/QĐ-TCTK ngày 12/11/2008); English names are ours',
    entries: QD1019_ORDER.map((qd121, i) =>
      ethnicEntry(String(i + 1).padStart(2, '0'), byQd121.get(qd121)!),
    ),
  },
  'qd121-1979': {
    description: 'Dân tộc (ethnic group), 54 groups numbered as QĐ 121-TCTK/PPCĐ (1979)',
    source:
      'QĐ 121-TCTK/PPCĐ ngày 2/3/1979 (Danh mục các thành phần dân tộc Việt Nam); English names are ours',
    entries: ETHNIC_GROUPS.map((g) => ethnicEntry(g[0], g)),
  },
};
