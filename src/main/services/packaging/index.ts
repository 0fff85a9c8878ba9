/** Release packet services (issue #4): assemble, split, encrypt, sign. */
export { assemblePacket, type AssemblePacketInput, type AssembledPacket, type PackagingProgress } from './packet';
export { normalizeSource, type PacketSource, SOURCE_MEDIA_TYPES } from './inputs';
export { encryptPdfAes256 } from './encrypt';
export { generateSpokenPassphrase, PASSPHRASE_ENTROPY_BITS, PASSPHRASE_WORDS } from './passphrase';
export { splitPacket, withParts, DEFAULT_PART_LIMIT_BYTES, rawLimitForMessage, type PacketPart } from './split';
export { signDetached, verificationInstructions } from './sign';
export { manifestJson, releaseNumber, type PacketManifest, MANIFEST_FORMAT } from './manifest';
