/**
 * Vocabulary of the fake population: common Vietnamese family, middle and
 * given names, and weights for the coded attributes. Names are generic (no
 * real person is described); weights are rough shares, enough for realistic
 * test data, not statistics.
 */

/** [family name, weight]: the most common family names, roughly by share. */
export const FAMILY_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 3],
  ['Huỳnh', 2.1],
  ['Phan', 4.5],
  ['Vũ', 2],
  ['Võ', 1.9],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Đinh', 0.6],
  ['Trịnh', 0.5],
  ['Đào', 0.5],
  ['Mai', 0.4],
  ['Cao', 0.4],
  ['Lương', 0.3],
  ['Tạ', 0.2],
  ['Lâm', 0.3],
];

export const MIDDLE_NAMES_MALE = [
  'Văn',
  'Hữu',
  'Đức',
  'Minh',
  'Quang',
  'Thành',
  'Công',
  'Xuân',
  'Đình',
  'Trọng',
  'Gia',
  'Anh',
  'Tuấn',
  'Ngọc',
  'Quốc',
];
export const MIDDLE_NAMES_FEMALE = [
  'Thị',
  'Ngọc',
  'Thu',
  'Thanh',
  'Mai',
  'Kim',
  'Phương',
  'Minh',
  'Hồng',
  'Bích',
  'Thùy',
  'Khánh',
  'Hoài',
  'Diệu',
  'Thảo',
];

export const GIVEN_NAMES_MALE = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Đạt',
  'Đức',
  'Hải',
  'Hiếu',
  'Hòa',
  'Hùng',
  'Huy',
  'Khang',
  'Khoa',
  'Khôi',
  'Kiên',
  'Lâm',
  'Long',
  'Lộc',
  'Minh',
  'Nam',
  'Nghĩa',
  'Phong',
  'Phúc',
  'Quân',
  'Sơn',
  'Tài',
  'Thắng',
  'Thành',
  'Thịnh',
  'Toàn',
  'Trung',
  'Tuấn',
  'Tùng',
  'Việt',
  'Vinh',
  'Vũ',
];
export const GIVEN_NAMES_FEMALE = [
  'Anh',
  'Châu',
  'Chi',
  'Dung',
  'Giang',
  'Hà',
  'Hạnh',
  'Hằng',
  'Hiền',
  'Hoa',
  'Huyền',
  'Hương',
  'Lan',
  'Liên',
  'Linh',
  'Loan',
  'Mai',
  'My',
  'Nga',
  'Ngân',
  'Nhung',
  'Oanh',
  'Phương',
  'Quyên',
  'Quỳnh',
  'Tâm',
  'Thảo',
  'Thủy',
  'Trang',
  'Tuyết',
  'Uyên',
  'Vân',
  'Vy',
  'Xuân',
  'Yến',
];

/** DanToc: Kinh for most, then the larger groups, then any code 10–54. */
export const ETHNICITY_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['01', 85.3],
  ['02', 1.9],
  ['03', 1.9],
  ['04', 1.5], // Mường (QĐ 1019 numbering, QCVN 109 Annex E)
  ['05', 1.4],
  ['08', 1.5],
  ['07', 1.1],
  ['06', 0.8], // Hoa
  ['09', 0.9],
  ['*', 3.7],
];

/**
 * NhomMau: '00' (no information) for many records, else roughly the shares
 * seen in Vietnam (O, B, A, AB).
 */
export const BLOOD_GROUP_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['00', 30],
  ['04', 29],
  ['02', 21],
  ['01', 15],
  ['03', 5],
];

/**
 * TonGiao: '00' (none) is the only confirmed code; the others are
 * placeholders of the QCVN 109 Annex G list, which was not found, so their
 * names resolve to null until an operator override supplies them.
 */
export const RELIGION_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['00', 86],
  ['01', 6],
  ['02', 5],
  ['03', 1.5],
  ['04', 1.5],
];

export const STREETS = [
  'Lê Lợi',
  'Trần Hưng Đạo',
  'Nguyễn Trãi',
  'Hai Bà Trưng',
  'Quang Trung',
  'Lý Thường Kiệt',
  'Hùng Vương',
  'Phan Đình Phùng',
  'Nguyễn Du',
  'Lê Duẩn',
  'Điện Biên Phủ',
  'Trần Phú',
  'Bà Triệu',
  'Ngô Quyền',
];
