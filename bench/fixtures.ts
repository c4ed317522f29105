/** A TraCuuThongTinCongDan request as field clients send it (prefix `dan`, fields in the required order). */
export const TRACUU = (id: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">' +
  '<soapenv:Header/><soapenv:Body><dan:TraCuuThongTinCongDan>' +
  '<dan:MaYeuCau>BENCH-0001</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop>' +
  `<dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${id}</dan:SoDinhDanh>` +
  '</dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>';

/** The same lookup as an NDXP member sends it to its security server: TRACUU with the X-Road header. */
export const TRACUU_XROAD = (id: string): string =>
  TRACUU(id).replace(
    '<soapenv:Header/>',
    '<soapenv:Header>' +
      '<xrd:client xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers" id:objectType="SUBSYSTEM"><id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>000.00.00.H57</id:memberCode><id:subsystemCode>LIENTHONG</id:subsystemCode></xrd:client>' +
      '<xrd:service xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers" id:objectType="SERVICE"><id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>000.00.00.G10</id:memberCode><id:subsystemCode>NPD</id:subsystemCode><id:serviceCode>TraCuuThongTinCongDan</id:serviceCode></xrd:service>' +
      '<xrd:id xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">bench-0001</xrd:id>' +
      '<xrd:protocolVersion xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">4.0</xrd:protocolVersion>' +
      '</soapenv:Header>',
  );
