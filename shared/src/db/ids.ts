import { v7 as uuidv7, validate, version } from 'uuid';

/** New primary key: UUIDv7 (time-ordered, so b-tree inserts stay local). */
export const newId = (): string => uuidv7();

/** True for any well-formed UUID string (clients may hold ids minted elsewhere). */
export const isUuid = (s: string): boolean => validate(s) && version(s) >= 1;
