import { problemBody } from './problem.js';
import { ERRORS, GatewayError, type ErrorCode } from '../message/errors.js';

/**
 * Renders docs/errors.md from the one error table, so the published list of
 * codes cannot drift from what the gateway answers (R8). A test compares the
 * committed file with this output.
 *
 * The table's groups are comments in errors.ts, invisible at run time; here
 * each group is named by its first code. A code added inside a group of the
 * table lands in that group of the document without touching this file; a
 * new group needs one line below (the test checks both lists agree).
 */
interface Section {
  /** First code of the group in the table. */
  readonly first: ErrorCode;
  /** The group's heading in errors.ts. */
  readonly en: string;
  readonly vi: string;
}

export const ERROR_SECTIONS: readonly Section[] = [
  { first: 'LT_BAD_JSON', en: 'Request shape', vi: 'Hình thức yêu cầu' },
  { first: 'LT_XML_MALFORMED', en: 'XML hardening', vi: 'Bảo vệ khi xử lý XML' },
  { first: 'LT_AUTH_MISSING', en: 'Authentication', vi: 'Xác thực' },
  {
    first: 'LT_POLICY_ROUTE_NOT_ALLOWED',
    en: 'Authorization (policy)',
    vi: 'Phân quyền (chính sách)',
  },
  {
    first: 'LT_LIMIT_RATE',
    en: 'Limits and citizen self-service',
    vi: 'Hạn mức sử dụng và công dân tự tra cứu',
  },
  { first: 'LT_SIG_MISSING', en: 'Signatures', vi: 'Chữ ký số' },
  { first: 'LT_CONTRACT_REQUEST', en: 'Contracts', vi: 'Đặc tả dịch vụ' },
  {
    first: 'LT_CATALOG_UNKNOWN_CODE',
    en: 'Catalogs and identifiers (R2)',
    vi: 'Danh mục dùng chung và số định danh (R2)',
  },
  {
    first: 'LT_EDXML_INVALID',
    en: 'edXML documents (VDXP, QCVN 102:2016)',
    vi: 'Văn bản edXML (trục liên thông văn bản, QCVN 102:2016)',
  },
  {
    first: 'LT_UPSTREAM_TIMEOUT',
    en: 'Provider and resilience',
    vi: 'Bên cung cấp và khả năng chịu lỗi',
  },
  {
    first: 'LT_XROAD_HEADER_MISSING',
    en: 'X-Road (NDXP) message protocol',
    vi: 'Giao thức thông điệp X-Road (NDXP)',
  },
  {
    first: 'LT_QUEUE_UNAVAILABLE',
    en: 'Message queues',
    vi: 'Hàng đợi thông điệp',
  },
  {
    first: 'LT_NPD_NOT_FOUND',
    en: 'NPD domain outcomes',
    vi: 'Kết quả nghiệp vụ CSDLQG về dân cư',
  },
  { first: 'LT_CONFIG_INVALID', en: 'Gateway itself', vi: 'Lỗi của chính gateway' },
];

export const REGENERATE_COMMAND =
  'npx tsx -e "import(\'./src/server/errors-doc.ts\').then(m=>process.stdout.write(m.renderErrorsDoc()))" > docs/errors.md';

/** Table cells: a `|` or a line break in a text would split the row. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

/** Codes in table order, cut into the sections above. */
export function groupCodes(): { section: Section | undefined; codes: ErrorCode[] }[] {
  const starts = new Map<ErrorCode, Section>(ERROR_SECTIONS.map((s) => [s.first, s]));
  const groups: { section: Section | undefined; codes: ErrorCode[] }[] = [];
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    const start = starts.get(code);
    if (start || groups.length === 0) groups.push({ section: start, codes: [] });
    groups[groups.length - 1].codes.push(code);
  }
  return groups;
}

function intro(): string[] {
  const example = new GatewayError(
    'LT_POLICY_ROUTE_NOT_ALLOWED',
    'client "one-stop" may not call route "npd-citizen-lookup"',
  );
  example.exchangeId = '0193a5e2-7c41-7d2a-9f3e-5b8c1d0e4a27'; // a fixed UUIDv7, so the output is stable
  return [
    '# Error codes — Mã lỗi',
    '',
    '> Generated from the error table in `src/message/errors.ts` by `src/server/errors-doc.ts`;',
    '> do not edit by hand. Regenerate after changing the table:',
    '>',
    '> ```sh',
    `> ${REGENERATE_COMMAND}`,
    '> ```',
    '',
    'Every failure in the gateway is one code from one table, and every refusal carries its',
    'code and its reason (R8), in the protocol the caller speaks. Match on the code: it is',
    'stable, while the texts may be reworded.',
    '',
    '- **HTTP callers** receive `application/problem+json` (RFC 9457) with the HTTP status of',
    '  the table below. `code` is the code, `title` the English text, `message_vi` the',
    '  Vietnamese text, `detail` what exactly was wrong, and `instance` names the exchange',
    '  (also sent as the `x-lt-exchange-id` header) so the caller and the operator can find',
    '  the same line in the logs. A contract refusal adds `violations` (at most 20, each',
    '  with `path`, `rule` and `message`) and `violationCount` (all of them). For example:',
    '',
    '  ```json',
    ...JSON.stringify(problemBody(example), null, 2)
      .split('\n')
      .map((l) => `  ${l}`),
    '  ```',
    '',
    '- **SOAP callers** receive a SOAP 1.1 `Fault` with HTTP status 500 (WS-I Basic Profile',
    '  R1126), whatever the code. `faultcode` is `soap:Client` when the caller must change',
    '  the request and `soap:Server` when the gateway or the provider failed (the same',
    '  request may succeed later); `faultstring` starts with the code, and the fault',
    '  `detail` carries the code with the English and Vietnamese texts.',
    '- **Queue and mailbox inbounds** act on two columns of the table: a code whose **Retry**',
    '  is `yes` leaves the message for a later delivery; any other is refused for good',
    '  (dead-lettered with the code). **Blame** says who must change something: the',
    '  `caller` (SOAP `Client`), the `provider` (counted by its circuit breaker; with Retry',
    '  `yes`, an idempotent call is retried at once) or the `gateway` itself.',
    '- **`POST /token`** answers OAuth2 errors (`error`, `error_description`, RFC 6749',
    '  §5.2) together with the problem fields above.',
    '- **Operators** see the code in the one log line written per exchange (`code`) and in',
    '  the metric `lienthong_errors_total{route,code}`.',
    '',
    'HTTP 499 (`LT_CANCELLED`) is not a standard status: like nginx, the gateway uses it when',
    'the call was cancelled before the provider answered; callers rarely see it.',
    '',
  ];
}

export function renderErrorsDoc(): string {
  const lines = intro();
  for (const { section, codes } of groupCodes()) {
    lines.push(section ? `## ${section.en} — ${section.vi}` : '## Other codes — Mã khác', '');
    lines.push('| Code | HTTP | SOAP faultcode | Blame | Retry | English | Tiếng Việt |');
    lines.push('| --- | ---: | --- | --- | --- | --- | --- |');
    for (const code of codes) {
      const s = ERRORS[code];
      lines.push(
        `| \`${code}\` | ${s.http} | \`soap:${s.soap}\` | ${s.blame} | ${s.retry ? 'yes' : 'no'} | ${cell(s.en)} | ${cell(s.vi)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
