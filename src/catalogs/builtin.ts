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

// Only "none" is confirmed; the QCVN 109:2017 Annex G list was not found, so the
// rest must come from an operator override (docs/catalogs.md).
export const religion: BuiltinTable = {
  description: 'Tôn giáo (religion); only code 00 is confirmed',
  source: 'NPD response sample (TonGiao 00); QCVN 109:2017 Annex G list not found',
  entries: [{ code: '00', vi: 'Không', en: 'None' }],
};

// Only CH01 is confirmed; the Thông tư 55/2021/TT-BCA art. 6 list (amended by
// TT 66/2023/TT-BCA) was not found.
export const householdRelation: BuiltinTable = {
  description: 'Quan hệ với chủ hộ (relationship to the head of household); only CH01 is confirmed',
  source: 'NPD response sample (ChuHo/QuanHe CH01); TT 55/2021/TT-BCA art. 6 list not found',
  entries: [{ code: 'CH01', vi: 'Chủ hộ', en: 'Head of household' }],
};

// [code, Vietnamese name as the QĐ 121-TCTK/PP list writes it, our English transliteration, aliases?]
const ETHNIC_GROUPS: ReadonlyArray<readonly [string, string, string, string[]?]> = [
  ['01', 'Kinh', 'Kinh', ['Việt']],
  ['02', 'Tày', 'Tay'],
  ['03', 'Thái', 'Thai'],
  ['04', 'Hoa', 'Hoa (Chinese)'],
  ['05', 'Khơ-me', 'Khmer', ['Khmer', 'Khơ Me']],
  ['06', 'Mường', 'Muong'],
  ['07', 'Nùng', 'Nung'],
  ['08', 'HMông', 'Hmong', ['Mông', "H'Mông"]],
  ['09', 'Dao', 'Dao'],
  ['10', 'Gia-rai', 'Jarai', ['Gia Rai']],
  ['11', 'Ngái', 'Ngai'],
  ['12', 'Ê-đê', 'Rhade (E De)', ['Ê Đê']],
  ['13', 'Ba na', 'Bahnar (Ba Na)', ['Ba Na']],
  ['14', 'Xơ-Đăng', 'Sedang (Xo Dang)', ['Xơ Đăng']],
  ['15', 'Sán Chay', 'San Chay'],
  ['16', 'Cơ-ho', 'Koho (Co Ho)', ['Cơ Ho']],
  ['17', 'Chăm', 'Cham'],
  ['18', 'Sán Dìu', 'San Diu'],
  ['19', 'Hrê', 'Hre'],
  ['20', 'Mnông', 'Mnong', ['Mơ Nông']],
  ['21', 'Ra-glai', 'Raglai', ['Ra Glai']],
  ['22', 'Xtiêng', 'Stieng (Xtieng)'],
  ['23', 'Bru-Vân Kiều', 'Bru-Van Kieu'],
  ['24', 'Thổ', 'Tho'],
  ['25', 'Giáy', 'Giay'],
  ['26', 'Cơ-tu', 'Co Tu', ['Cơ Tu']],
  ['27', 'Gié Triêng', 'Gie Trieng'],
  ['28', 'Mạ', 'Ma'],
  ['29', 'Khơ-mú', 'Khmu (Kho Mu)', ['Khơ Mú']],
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
  ['47', 'Co Lao', 'Co Lao'],
  ['48', 'Cống', 'Cong'],
  ['49', 'Bố Y', 'Bo Y'],
  ['50', 'Si La', 'Si La'],
  ['51', 'Pu Péo', 'Pu Peo'],
  ['52', 'Brâu', 'Brau'],
  ['53', 'Ơ Đu', 'O Du'],
  ['54', 'Rơ măm', 'Ro Mam'],
];

export const ethnicity: BuiltinTable = {
  description: 'Dân tộc (ethnic group), 54 groups in the QĐ 121-TCTK/PP order',
  source: 'QĐ 121-TCTK/PP list (QCVN 109:2017 Annex E); English names are ours',
  entries: ETHNIC_GROUPS.map(([code, vi, en, aliases]) =>
    aliases ? { code, vi, en, aliases } : { code, vi, en },
  ),
};
