// Public API of the user-data layer.
export { UserDataPart, UserDataContentType } from './user-data-part';
export { renderMultipart } from './multipart';
