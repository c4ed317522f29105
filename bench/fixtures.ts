/** A TraCuuThongTinCongDan request as field clients send it (prefix `dan`, fields in the required order). */
export const TRACUU = (id: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">' +
  '<soapenv:Header/><soapenv:Body><dan:TraCuuThongTinCongDan>' +
  '<dan:MaYeuCau>BENCH-0001</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop>' +
  `<dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${id}</dan:SoDinhDanh>` +
  '</dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>';
