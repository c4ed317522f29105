export { gatewayError as thrown } from '../../helpers/errors.js';
