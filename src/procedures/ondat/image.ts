// The Ondat version an image names, on the generic image references of src/core/image-ref.ts.
import { parseImage, versionOfTag } from '../../core/image-ref';

export { isPinned, parseImage, versionOfTag, type ImageRef } from '../../core/image-ref';

/** The Ondat version an image of the node container runs, or undefined when the tag does not say. */
export function ondatVersionOfImage(ref: string): string | undefined {
  return versionOfTag(parseImage(ref).tag);
}

export function isNodeImage(ref: string): boolean {
  return parseImage(ref).repository === 'storageos/node';
}

