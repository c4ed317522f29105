export { gatewayError } from '../../helpers/errors.js';

/** A field-shaped NPD lookup reply (DOMAIN.md §2 sample values), with a configurable prefix. */
export function sampleReply(prefix = 'ns1'): string {
  const p = prefix ? `${prefix}:` : '';
  const decl = prefix ? `xmlns:${prefix}` : 'xmlns';
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Header/>
  <soapenv:Body>
    <${p}CongdanCollection ${decl}="http://www.mic.gov.vn/dancu/1.0" SoCongDan="1">
      <${p}CongDan>
        <${p}SoDinhDanh>026092017345</${p}SoDinhDanh>
        <${p}SoCMND/>
        <${p}HoVaTen><${p}Ho/><${p}ChuDem/><${p}Ten>Nguyễn Văn An</${p}Ten></${p}HoVaTen>
        <${p}GioiTinh>1</${p}GioiTinh>
        <${p}DanToc>01</${p}DanToc>
        <${p}TonGiao>00</${p}TonGiao>
        <${p}TinhTrangHonNhan>2</${p}TinhTrangHonNhan>
        <${p}NhomMau>00</${p}NhomMau>
        <${p}NgayThangNamSinh><${p}Nam>1992</${p}Nam><${p}NgayThangNam>19921122</${p}NgayThangNam></${p}NgayThangNamSinh>
        <${p}NoiDangKyKhaiSinh><${p}MaTinhThanh>26</${p}MaTinhThanh><${p}MaQuanHuyen>252</${p}MaQuanHuyen><${p}MaPhuongXa>09106</${p}MaPhuongXa><${p}ChiTiet>Xã Lũng Hoà</${p}ChiTiet><${p}QuocGia>VN</${p}QuocGia></${p}NoiDangKyKhaiSinh>
        <${p}QuocTich/>
        <${p}Cha><${p}HoVaTen>Nguyễn Văn Bình</${p}HoVaTen><${p}QuocTich>VN</${p}QuocTich><${p}SoDinhDanh/><${p}SoCMND/></${p}Cha>
        <${p}ChuHo><${p}QuanHe>CH01</${p}QuanHe><${p}SoDinhDanh>026092017345</${p}SoDinhDanh><${p}SoCMND/><${p}HoVaTen>Nguyễn Văn An</${p}HoVaTen></${p}ChuHo>
        <${p}SoSoHoKhau>012345678</${p}SoSoHoKhau>
      </${p}CongDan>
    </${p}CongdanCollection>
  </soapenv:Body>
</soapenv:Envelope>`;
}
