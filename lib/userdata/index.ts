// Public API of the user-data layer.
export { UserDataPart, UserDataContentType, NODE_CONFIG_API_VERSION } from './user-data-part';
export { renderMultipart } from './multipart';
