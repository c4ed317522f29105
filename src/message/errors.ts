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
  // policy model (issue 19, policy): decisions (R6, R8, R10) and the admin API
  LT_POLICY_UNREGISTERED: { http: 403, blame: 'caller', retry: false, vi: 'Đơn vị hoặc ứng dụng chưa được đăng ký kết nối', en: 'Caller is not registered with the gateway' },
  LT_POLICY_CONNECTION_NOT_ACTIVE: { http: 403, blame: 'caller', retry: false, vi: 'Kết nối chưa được đưa vào sử dụng', en: 'The connection is not active yet' },
  LT_POLICY_CONNECTION_SUSPENDED: { http: 403, blame: 'caller', retry: false, vi: 'Kết nối đang bị tạm dừng', en: 'The connection is suspended' },
  LT_POLICY_CONNECTION_TERMINATED: { http: 403, blame: 'caller', retry: false, vi: 'Kết nối đã bị chấm dứt', en: 'The connection is terminated' },
  LT_POLICY_NO_GRANT: { http: 403, blame: 'caller', retry: false, vi: 'Kết nối không được cấp quyền sử dụng dịch vụ này', en: 'No grant for this service' },
  LT_POLICY_PURPOSE_NOT_GRANTED: { http: 403, blame: 'caller', retry: false, vi: 'Mục đích sử dụng không nằm trong phạm vi được cấp quyền', en: 'The stated purpose is not granted' },
  LT_POLICY_GRANT_EXPIRED: { http: 403, blame: 'caller', retry: false, vi: 'Quyền sử dụng dịch vụ đã hết hiệu lực', en: 'The grant has expired' },
  LT_POLICY_GRANT_NOT_YET_VALID: { http: 403, blame: 'caller', retry: false, vi: 'Quyền sử dụng dịch vụ chưa có hiệu lực', en: 'The grant is not valid yet' },
  LT_POLICY_ACCOUNT_NOT_ALLOWED: { http: 403, blame: 'caller', retry: false, vi: 'Tài khoản cán bộ không hợp lệ hoặc không được phân quyền dịch vụ này', en: 'The officer account is missing, revoked or not granted this service' },
  LT_POLICY_ACCOUNT_SECRET_EXPIRED: { http: 401, blame: 'caller', retry: false, vi: 'Mật khẩu tài khoản đã quá hạn, cần đổi mật khẩu', en: 'The account secret is older than allowed; change it' },
  LT_POLICY_TOO_MANY_REPORTS: { http: 429, blame: 'caller', retry: true, vi: 'Đơn vị có quá nhiều báo cáo lỗi dữ liệu chưa được xử lý', en: 'Too many open data-error reports from this organisation' },
  LT_POLICY_WRONG_JURISDICTION: { http: 422, blame: 'caller', retry: false, vi: 'Cơ quan phê duyệt không có thẩm quyền đối với đơn vị này', en: 'The approving authority has no jurisdiction over this organisation' },
  LT_POLICY_APPROVAL_REQUIRED: { http: 422, blame: 'caller', retry: false, vi: 'Kết nối qua kênh khác cần biên bản thẩm định và chấp thuận', en: 'A connection over another path needs an approval record' },
  LT_POLICY_BAD_TRANSITION: { http: 409, blame: 'caller', retry: false, vi: 'Không thể chuyển kết nối sang trạng thái này', en: 'The connection cannot change to this state' },
  LT_POLICY_INPUT_INVALID: { http: 422, blame: 'caller', retry: false, vi: 'Dữ liệu quản trị không hợp lệ', en: 'Invalid policy or report input' },
  LT_POLICY_NOT_FOUND: { http: 404, blame: 'caller', retry: false, vi: 'Không tìm thấy bản ghi', en: 'No such record' },
  LT_POLICY_CONFLICT: { http: 409, blame: 'caller', retry: false, vi: 'Bản ghi đã tồn tại', en: 'The record already exists' },
  LT_ADMIN_FORBIDDEN: { http: 403, blame: 'caller', retry: false, vi: 'Chỉ tài khoản quản trị được dùng chức năng này', en: 'The admin role is required' },

  // ---- limits and citizen self-service ---------------------------------------
  LT_LIMIT_RATE: { http: 429, blame: 'caller', retry: true, vi: 'Vượt quá tần suất gọi dịch vụ cho phép, vui lòng thử lại sau', en: 'Request rate limit exceeded; retry later' },
  LT_LIMIT_QUOTA: { http: 429, blame: 'caller', retry: true, vi: 'Đã dùng hết hạn mức số lượt gọi trong ngày', en: 'Daily quota used up; retry after it resets' },
  LT_AUTH_THROTTLED: { http: 429, blame: 'caller', retry: true, vi: 'Quá nhiều lần xác thực sai, tạm thời từ chối yêu cầu cấp mã truy cập', en: 'Too many failed token requests; wait before trying again' },
  LT_CITIZEN_ASSERTION_INVALID: { http: 401, blame: 'caller', retry: false, vi: 'Thiếu hoặc sai xác nhận danh tính công dân từ cổng dịch vụ công', en: 'Missing or invalid citizen identity assertion from the portal' },
  LT_CITIZEN_NOT_OWN_RECORD: { http: 403, blame: 'caller', retry: false, vi: 'Công dân chỉ được tra cứu thông tin của chính mình', en: 'A citizen may read only their own record' },

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
  // VDXP axis (adapters/vdxp): the SDK's signed headers, the axis's FAIL replies, documents tracked
  LT_VDXP_HEADER_SIGNATURE_INVALID: { http: 401, blame: 'caller', retry: false, vi: 'Chữ ký tiêu đề XroadVnpt của yêu cầu không hợp lệ', en: 'XroadVnpt signed headers are missing, malformed or their HMAC does not verify' },
  LT_VDXP_UNKNOWN_SYSTEM: { http: 401, blame: 'caller', retry: false, vi: 'Mã hệ thống (systemid) chưa được đăng ký', en: 'The system id is not registered' },
  LT_VDXP_FILE_HASH_MISMATCH: { http: 422, blame: 'caller', retry: false, vi: 'Mã băm tệp (hash-file) không khớp với tệp gửi lên', en: 'hash-file does not match the file sent' },
  LT_VDXP_DOCUMENT_NOT_FOUND: { http: 404, blame: 'caller', retry: false, vi: 'Không tìm thấy văn bản', en: 'No such document' },
  LT_VDXP_AXIS_REFUSED: { http: 502, blame: 'gateway', retry: false, vi: 'Trục liên thông văn bản từ chối yêu cầu', en: 'The document interchange axis answered FAIL' },

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

  // ---- X-Road (NDXP) message protocol --------------------------------------------
  LT_XROAD_HEADER_MISSING: { http: 400, blame: 'caller', retry: false, vi: 'Thiếu trường tiêu đề X-Road bắt buộc', en: 'A mandatory X-Road header is missing' },
  LT_XROAD_HEADER_INVALID: { http: 400, blame: 'caller', retry: false, vi: 'Trường tiêu đề X-Road không hợp lệ', en: 'An X-Road header is malformed' },
  LT_XROAD_SERVICE_UNKNOWN: { http: 404, blame: 'caller', retry: false, vi: 'Dịch vụ X-Road không được cung cấp tại đây', en: 'No route publishes this X-Road service' },
  LT_XROAD_FAULT: { http: 502, blame: 'provider', retry: false, vi: 'Máy chủ an ninh X-Road trả về lỗi', en: 'The X-Road security server answered with a fault' },
  LT_XROAD_ACCESS_DENIED: { http: 502, blame: 'provider', retry: false, vi: 'Máy chủ an ninh X-Road từ chối quyền truy cập dịch vụ', en: 'The X-Road security server denied access to the service' },
  LT_XROAD_UNKNOWN_MEMBER: { http: 502, blame: 'provider', retry: false, vi: 'Máy chủ an ninh X-Road không biết định danh bên gọi hoặc dịch vụ', en: 'The X-Road security server does not know the client or service id' },
  LT_XROAD_UNREACHABLE: { http: 504, blame: 'provider', retry: true, vi: 'Máy chủ an ninh X-Road không liên lạc được với bên cung cấp', en: 'The X-Road security server could not reach the provider in time' },
  LT_XROAD_REQUEST_HASH_MISMATCH: { http: 502, blame: 'provider', retry: false, vi: 'Mã băm yêu cầu trong phản hồi X-Road không khớp với yêu cầu đã gửi', en: 'The X-Road response requestHash does not match the request sent' },
  LT_XROAD_REPLY_MISMATCH: { http: 502, blame: 'provider', retry: false, vi: 'Tiêu đề phản hồi X-Road không khớp với yêu cầu', en: 'The X-Road response headers do not match the request' },

  // ---- message queues ---------------------------------------------------------
  LT_QUEUE_UNAVAILABLE: { http: 503, blame: 'provider', retry: true, vi: 'Không kết nối được tới hệ thống hàng đợi thông điệp', en: 'The message broker is unreachable, or did not confirm in time' },
  LT_QUEUE_UNROUTABLE: { http: 502, blame: 'gateway', retry: false, vi: 'Không có hàng đợi nào nhận thông điệp này', en: 'No queue is bound for this message (unroutable)' },
  LT_QUEUE_NACKED: { http: 503, blame: 'provider', retry: true, vi: 'Hệ thống hàng đợi từ chối lưu thông điệp', en: 'The broker refused to take the message (negative confirm)' },
  LT_QUEUE_BUFFER_FULL: { http: 503, blame: 'gateway', retry: true, vi: 'Bộ đệm gửi thông điệp đã đầy trong lúc mất kết nối', en: 'The publish buffer is full while the broker is unreachable' },
  LT_QUEUE_MESSAGE_INVALID: { http: 400, blame: 'caller', retry: false, vi: 'Thông điệp trong hàng đợi thiếu mã định danh hoặc không đọc được', en: 'A queued message has no usable id or cannot be read' },

  // ---- NPD domain outcomes ----------------------------------------------------
  LT_NPD_NOT_FOUND: { http: 404, blame: 'caller', retry: false, vi: 'Không tìm thấy công dân trong CSDLQG về dân cư', en: 'No citizen matches in the National Population Database' },
  LT_NPD_OTHER_PERSON: { http: 502, blame: 'provider', retry: false, vi: 'CSDLQG về dân cư trả lời về một công dân khác với công dân được hỏi', en: 'The National Population Database answered about another person than the one asked for' },

  // ---- gateway itself ---------------------------------------------------------
  LT_CONFIG_INVALID: { http: 500, blame: 'gateway', retry: false, vi: 'Cấu hình không hợp lệ', en: 'Configuration is invalid' },
  LT_STORE_UNAVAILABLE: { http: 503, blame: 'gateway', retry: true, vi: 'Kho dữ liệu không sẵn sàng', en: 'Store is unavailable' },
  // sharing log (R7, docs/audit.md)
  LT_AUDIT_UNAVAILABLE: { http: 503, blame: 'gateway', retry: true, vi: 'Không ghi được nhật ký chia sẻ dữ liệu nên yêu cầu không được trả lời', en: 'The sharing log cannot be written, so the request is not answered' },
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
