import { describe, expect, it } from '@jest/globals';
import { loadCatalogs } from '../../../src/catalogs/index.js';
import { parseSoapEnvelope } from '../../../src/xml/index.js';
import { NPD_RESPONSE_NS } from '../../../adapters/npd/constants.js';
import type { CitizenReply } from '../../../adapters/npd/canonical.js';
import { createReplyReader } from '../../../adapters/npd/response.js';

// R2: codes in NPD replies are named from the shared catalogs, the pre-2025 district included.
const reader = createReplyReader(loadCatalogs());
const limits = { maxBytes: 1 << 20, maxDepth: 64 };

function lookup(addressXml: string): CitizenReply {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<dc:CongdanCollection xmlns:dc="${NPD_RESPONSE_NS}"><dc:CongDan>
<dc:SoDinhDanh>026092008262</dc:SoDinhDanh><dc:DanToc>01</dc:DanToc>
<dc:ThuongTru>${addressXml}<dc:ChiTiet>Thôn 1</dc:ChiTiet><dc:QuocGia>VN</dc:QuocGia></dc:ThuongTru>
</dc:CongDan></dc:CongdanCollection></soap:Body></soap:Envelope>`;
  const env = parseSoapEnvelope(xml, limits);
  return reader.read('TraCuuThongTinCongDan', env, 'r1') as CitizenReply;
}

describe('NPD reply reader: district names (R2)', () => {
  it('names the pre-2025 district of an address (MaQuanHuyen 252, huyện Vĩnh Tường)', () => {
    const reply = lookup(
      '<dc:MaTinhThanh>26</dc:MaTinhThanh><dc:MaQuanHuyen>252</dc:MaQuanHuyen><dc:MaPhuongXa>09106</dc:MaPhuongXa>',
    );
    expect(reply.citizen.permanentResidence).toEqual({
      provinceCode: '26',
      districtCode: '252',
      districtName: 'Huyện Vĩnh Tường',
      communeCode: '09106',
      detail: 'Thôn 1',
      country: 'VN',
    });
    expect(reply.citizen.ethnicity).toEqual({ code: '01', name: 'Kinh' });
  });

  it('gives null for a district the catalog does not know, and no key without a district', () => {
    const unknown = lookup(
      '<dc:MaTinhThanh>26</dc:MaTinhThanh><dc:MaQuanHuyen>999</dc:MaQuanHuyen>',
    );
    expect(unknown.citizen.permanentResidence).toMatchObject({
      districtCode: '999',
      districtName: null,
    });
    const twoTier = lookup(
      '<dc:MaTinhThanh>25</dc:MaTinhThanh><dc:MaPhuongXa>09106</dc:MaPhuongXa>',
    );
    expect(twoTier.citizen.permanentResidence).not.toHaveProperty('districtName');
    expect(twoTier.citizen.permanentResidence).not.toHaveProperty('districtCode');
  });
});
