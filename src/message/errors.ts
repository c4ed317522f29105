/**
 * The one error table. Every failure anywhere in the gateway is one of these
 * codes; inbound adapters render it in the caller's protocol (problem+json,
 * SOAP fault, VDXP FAIL reply, AMQP dead-letter header). Tests assert on the
 * code, never on the text. A refusal always carries its code and reason (R8).
 *
 * Two columns say what a failure means, and everything that acts on a
 * failure reads them rather than keeping its own list of codes:
 * - `blame`: who must change something. `caller`: the request (the SOAP
 *   faultcode is Client); `provider`: the provider failed or answered badly
 *   (counts against its breaker); `gateway`: the gateway itself or its
 *   protections (breaker open, bulkhead full, shutting down).
 * - `retry`: whether the same message can succeed later. A queue or mailbox
 *   inbound retries it later when true and dead-letters it when false
 *   (`dispositionOf` in disposition.ts); a provider failure that is also
 *   retryable is retried at once for idempotent calls (src/resilience/classify.ts).
 */
export type Blame = 'caller' | 'provider' | 'gateway';

/** One row as written in the table below. */
interface ErrorRow {
  readonly http: number;
  readonly blame: Blame;
  readonly retry: boolean;
  readonly vi: string;
  readonly en: string;
}

export interface ErrorSpec extends ErrorRow {
  /** SOAP 1.1 faultcode, from `blame`: Client when the caller must change the request. */
  readonly soap: 'Client' | 'Server';
}

// One line per code reads as a table; keep it that way.
// prettier-ignore
const table = {
  // ---- request shape -------------------------------------------------------
  LT_BAD_JSON: { http: 400, blame: 'caller', retry: false, vi: 'Nội dung JSON không hợp lệ', en: 'Malformed JSON body' },
  LT_JSON_TOO_DEEP: { http: 400, blame: 'caller', retry: false, vi: 'Dữ liệu JSON lồng quá sâu', en: 'JSON nesting exceeds the depth limit' },
  LT_JSON_TOO_MANY_NODES: { http: 400, blame: 'caller', retry: false, vi: 'Dữ liệu JSON có quá nhiều khóa và giá trị', en: 'JSON has more keys and values than allowed' },
  LT_JSON_DUPLICATE_KEY: { http: 400, blame: 'caller', retry: false, vi: 'Một đối tượng JSON có khóa bị lặp lại', en: 'A JSON object repeats a key' },
  LT_BODY_TOO_LARGE: { http: 413, blame: 'caller', retry: false, vi: 'Nội dung yêu cầu vượt quá giới hạn cho phép', en: 'Request body exceeds the configured limit' },
  LT_UNSUPPORTED_MEDIA_TYPE: { http: 415, blame: 'caller', retry: false, vi: 'Kiểu nội dung không được hỗ trợ', en: 'Unsupported content type' },
  LT_BODY_ENCODING_INVALID: { http: 400, blame: 'caller', retry: false, vi: 'Không giải nén được nội dung yêu cầu theo Content-Encoding', en: 'Request body does not decode as its Content-Encoding says' },
  LT_ROUTE_NOT_FOUND: { http: 404, blame: 'caller', retry: false, vi: 'Không tìm thấy dịch vụ được yêu cầu', en: 'No route serves this path' },
  LT_METHOD_NOT_ALLOWED: { http: 405, blame: 'caller', retry: false, vi: 'Phương thức không được hỗ trợ', en: 'Method not allowed on this path' },
  LT_HTTP_MALFORMED: { http: 400, blame: 'caller', retry: false, vi: 'Yêu cầu HTTP không đúng cú pháp', en: 'The HTTP request could not be parsed' },
  LT_HEADERS_TOO_LARGE: { http: 431, blame: 'caller', retry: false, vi: 'Phần đầu (header) của yêu cầu HTTP quá lớn', en: 'HTTP request headers are too large' },
  LT_REQUEST_TIMEOUT: { http: 408, blame: 'caller', retry: false, vi: 'Yêu cầu HTTP không được gửi hết trong thời gian cho phép', en: 'The HTTP request did not arrive in time' },

  // ---- XML hardening ---------------------------------------------------------
  LT_XML_MALFORMED: { http: 400, blame: 'caller', retry: false, vi: 'Tài liệu XML không đúng cú pháp', en: 'XML is not well-formed' },
  LT_XML_DTD_FORBIDDEN: { http: 400, blame: 'caller', retry: false, vi: 'Không chấp nhận khai báo DTD/thực thể trong XML', en: 'DTDs and entity declarations are not accepted' },
  LT_XML_TOO_DEEP: { http: 400, blame: 'caller', retry: false, vi: 'Tài liệu XML lồng quá sâu', en: 'XML nesting exceeds the depth limit' },
  LT_XML_TOO_MANY_ATTRIBUTES: { http: 400, blame: 'caller', retry: false, vi: 'Phần tử XML có quá nhiều thuộc tính hoặc khai báo không gian tên', en: 'An XML element has more attributes or namespace declarations than allowed' },
  LT_XML_TOO_MANY_NODES: { http: 400, blame: 'caller', retry: false, vi: 'Tài liệu XML có quá nhiều phần tử và thuộc tính', en: 'XML has more elements and attributes than allowed' },
  LT_XML_TOO_LARGE: { http: 413, blame: 'caller', retry: false, vi: 'Tài liệu XML vượt quá kích thước cho phép', en: 'XML document exceeds the size limit' },
  LT_SOAP_NOT_ENVELOPE: { http: 400, blame: 'caller', retry: false, vi: 'Không phải thông điệp SOAP 1.1 hợp lệ', en: 'Not a SOAP 1.1 envelope' },
  LT_SOAP_UNKNOWN_OPERATION: { http: 400, blame: 'caller', retry: false, vi: 'Thao tác SOAP không được hỗ trợ', en: 'Unknown SOAP operation' },
  LT_SOAP_OPERATION_MISMATCH: { http: 400, blame: 'caller', retry: false, vi: 'Phần tử trong SOAP Body không phải thao tác của dịch vụ được gọi', en: 'The SOAP Body element is not the operation of this route' },

  // ---- authentication --------------------------------------------------------
  LT_AUTH_MISSING: { http: 401, blame: 'caller', retry: false, vi: 'Thiếu thông tin xác thực', en: 'Missing credentials' },
  LT_AUTH_INVALID_CLIENT: { http: 401, blame: 'caller', retry: false, vi: 'Sai mã ứng dụng hoặc mật khẩu ứng dụng', en: 'Invalid client id or secret' },
  LT_AUTH_TOKEN_INVALID: { http: 401, blame: 'caller', retry: false, vi: 'Mã truy cập không hợp lệ', en: 'Access token is invalid' },
  LT_AUTH_TOKEN_EXPIRED: { http: 401, blame: 'caller', retry: false, vi: 'Mã truy cập đã hết hạn', en: 'Access token has expired' },
  LT_AUTH_BUSY: { http: 503, blame: 'gateway', retry: true, vi: 'Quá nhiều yêu cầu cấp mã truy cập cùng lúc, vui lòng thử lại', en: 'Too many token requests at once; retry' },
  LT_AUTH_UNSUPPORTED_GRANT: { http: 400, blame: 'caller', retry: false, vi: 'Kiểu cấp quyền không được hỗ trợ', en: 'Unsupported grant_type' },

  // ---- authorization (policy) ----------------------------------------------
  LT_POLICY_ROUTE_NOT_ALLOWED: { http: 403, blame: 'caller', retry: false, vi: 'Đơn vị không được cấp quyền sử dụng dịch vụ này', en: 'Caller is not granted this service' },

  // ---- signatures ----------------------------------------------------------------
  LT_SIG_MISSING: { http: 401, blame: 'caller', retry: false, vi: 'Thiếu chữ ký số trên thông điệp', en: 'The route requires a signed request' },
  LT_SIG_INVALID: { http: 401, blame: 'caller', retry: false, vi: 'Chữ ký số không hợp lệ', en: 'Signature does not verify' },
  LT_SIG_UNKNOWN_KEY: { http: 401, blame: 'caller', retry: false, vi: 'Không tìm thấy khóa công khai của bên ký', en: 'Signing key is not known for this peer' },
  LT_SIG_STALE: { http: 401, blame: 'caller', retry: false, vi: 'Chữ ký nằm ngoài khung thời gian cho phép', en: 'Signature iat is outside the replay window' },
  LT_SIG_REPLAYED: { http: 409, blame: 'caller', retry: false, vi: 'Thông điệp đã được gửi trước đó (trùng jti)', en: 'Signature jti was already seen (replay)' },
  LT_SIG_WRONG_TYPE: { http: 401, blame: 'caller', retry: false, vi: 'Chữ ký được tạo cho mục đích khác (typ không đúng)', en: 'Signature was made for another purpose (wrong or missing typ)' },
  LT_SIG_NOT_BOUND: { http: 401, blame: 'caller', retry: false, vi: 'Chữ ký không gắn với yêu cầu này (phương thức, đường dẫn, bên nhận hoặc yêu cầu được trả lời)', en: 'Signature is bound to another request (method, path, audience or the request answered)' },

  // ---- contracts -----------------------------------------------------------------
  LT_CONTRACT_REQUEST: { http: 422, blame: 'caller', retry: false, vi: 'Yêu cầu không đúng đặc tả dịch vụ', en: 'Request does not satisfy the contract' },
  LT_CONTRACT_RESPONSE: { http: 502, blame: 'provider', retry: false, vi: 'Bên cung cấp trả về dữ liệu không đúng đặc tả', en: 'Provider reply does not satisfy the contract' },

  // ---- catalogs and identifiers (R2) ------------------------------------------
  LT_CATALOG_UNKNOWN_CODE: { http: 422, blame: 'caller', retry: false, vi: 'Mã danh mục không tồn tại', en: 'Code is not in the shared catalog' },
  LT_CCCD_INVALID: { http: 422, blame: 'caller', retry: false, vi: 'Số định danh cá nhân không hợp lệ', en: 'Personal identification number is invalid' },

  // ---- edXML documents (VDXP, QCVN 102:2016) -------------------------------------
  LT_EDXML_INVALID: { http: 422, blame: 'caller', retry: false, vi: 'Văn bản edXML không đúng cấu trúc theo QCVN 102:2016', en: 'edXML document does not have the QCVN 102:2016 structure' },
  LT_EDXML_ATTACHMENT_TOO_LARGE: { http: 413, blame: 'caller', retry: false, vi: 'Tệp đính kèm edXML vượt quá kích thước cho phép', en: 'edXML attachment exceeds the size limit' },
  LT_EDXML_SIGNATURE_INVALID: { http: 422, blame: 'caller', retry: false, vi: 'Chữ ký số trên văn bản edXML không hợp lệ', en: 'edXML signature is missing, malformed or does not verify' },
  LT_EDXML_SIGNATURE_UNTRUSTED: { http: 422, blame: 'caller', retry: false, vi: 'Chứng thư số ký văn bản edXML không thuộc tổ chức chứng thực được tin cậy', en: 'edXML signer certificate does not chain to a trusted CA' },

  // ---- provider and resilience ------------------------------------------------
  LT_UPSTREAM_TIMEOUT: { http: 504, blame: 'provider', retry: true, vi: 'Bên cung cấp không phản hồi kịp thời', en: 'Provider did not answer in time' },
  LT_UPSTREAM_UNREACHABLE: { http: 502, blame: 'provider', retry: true, vi: 'Không kết nối được tới bên cung cấp', en: 'Provider refused or dropped the connection' },
  LT_UPSTREAM_ERROR: { http: 502, blame: 'provider', retry: true, vi: 'Bên cung cấp trả về lỗi', en: 'Provider answered with an error' },
  LT_UPSTREAM_FAULT: { http: 502, blame: 'provider', retry: false, vi: 'Bên cung cấp trả về SOAP fault', en: 'Provider answered with a SOAP fault' },
  LT_UPSTREAM_BAD_REPLY: { http: 502, blame: 'provider', retry: false, vi: 'Không đọc được phản hồi của bên cung cấp', en: 'Provider reply could not be read' },
  LT_UPSTREAM_AUTH: { http: 502, blame: 'provider', retry: false, vi: 'Gateway không xác thực được với bên cung cấp', en: 'Gateway could not authenticate to the provider' },
  LT_UPSTREAM_SIG_INVALID: { http: 502, blame: 'provider', retry: false, vi: 'Chữ ký trên phản hồi của bên cung cấp không hợp lệ', en: 'Provider reply signature does not verify' },
  LT_BREAKER_OPEN: { http: 503, blame: 'gateway', retry: true, vi: 'Tạm ngừng gọi bên cung cấp do lỗi liên tiếp', en: 'Circuit breaker is open for this provider' },
  LT_BULKHEAD_FULL: { http: 503, blame: 'gateway', retry: true, vi: 'Bên cung cấp đang quá tải, vui lòng thử lại', en: 'Too many requests in flight to this provider' },
  LT_CANCELLED: { http: 499, blame: 'gateway', retry: true, vi: 'Yêu cầu đã bị hủy trước khi bên cung cấp trả lời', en: 'The call was cancelled before the provider answered' },

  // ---- NPD domain outcomes ----------------------------------------------------
  LT_NPD_NOT_FOUND: { http: 404, blame: 'caller', retry: false, vi: 'Không tìm thấy công dân trong CSDLQG về dân cư', en: 'No citizen matches in the National Population Database' },
  LT_NPD_OTHER_PERSON: { http: 502, blame: 'provider', retry: false, vi: 'CSDLQG về dân cư trả lời về một công dân khác với công dân được hỏi', en: 'The National Population Database answered about another person than the one asked for' },

  // ---- gateway itself ---------------------------------------------------------
  LT_CONFIG_INVALID: { http: 500, blame: 'gateway', retry: false, vi: 'Cấu hình không hợp lệ', en: 'Configuration is invalid' },
  LT_STORE_UNAVAILABLE: { http: 503, blame: 'gateway', retry: true, vi: 'Kho dữ liệu không sẵn sàng', en: 'Store is unavailable' },
  LT_SHUTTING_DOWN: { http: 503, blame: 'gateway', retry: true, vi: 'Gateway đang dừng', en: 'Gateway is shutting down' },
  LT_INTERNAL: { http: 500, blame: 'gateway', retry: false, vi: 'Lỗi nội bộ của gateway', en: 'Internal gateway error' },
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof table;
export const ERRORS: Readonly<Record<ErrorCode, ErrorSpec>> = Object.freeze(
  Object.fromEntries(
    Object.entries(table).map(([code, row]: [string, ErrorRow]) => [
      code,
      Object.freeze({ ...row, soap: row.blame === 'caller' ? 'Client' : 'Server' }),
    ]),
  ) as Record<ErrorCode, ErrorSpec>,
);

/** A failure with a code from the table; `detail` is safe to show to the caller. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly data?: Record<string, unknown>;
  /** Set by the pipeline so the caller's error can name the exchange it belongs to. */
  exchangeId?: string;

  constructor(
    code: ErrorCode,
    detail?: string,
    data?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(detail ? `${code}: ${detail}` : code, options);
    this.name = 'GatewayError';
    this.code = code;
    this.detail = detail;
    this.data = data;
  }

  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }
}

/** The most characters of an error's detail a caller is shown (the log has it whole). */
export const DETAIL_MAX = 1000;

/**
 * An error's detail as renderers show it: cut to DETAIL_MAX, since a detail
 * may quote the caller's input (an unknown SOAP operation's namespace, a path)
 * and a refusal must not be a way to make the gateway echo a megabyte back.
 */
export function shownDetail(err: GatewayError): string | undefined {
  const d = err.detail;
  return d !== undefined && d.length > DETAIL_MAX ? `${d.slice(0, DETAIL_MAX)}…` : d;
}

export function fail(code: ErrorCode, detail?: string, data?: Record<string, unknown>): never {
  throw new GatewayError(code, detail, data);
}

/** Anything thrown becomes a GatewayError; unknown throwables are LT_INTERNAL. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('LT_INTERNAL', undefined, undefined, { cause: err });
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(table, code);
}
