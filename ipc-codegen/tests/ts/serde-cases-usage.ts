// Values of the serde cases: the types accept serde's wire form and reject
// what serde would not produce or accept.
import type {
  Animal,
  Everything,
  EverythingInput,
  LogLine,
  Message,
  Settings,
  SettingsInput,
  Shape,
} from './cases/types.js'

export function describe(animal: Animal, shape: Shape, message: Message): string {
  let text = ''
  switch (animal.kind) {
    case 'dog':
      text += animal.name + String(animal.good_boy)
      break
    case 'cat':
      text += String(animal.lives)
      break
    case 'fish':
      break
  }
  if (typeof shape === 'string') text += shape
  else if ('Circle' in shape) text += String(shape.Circle.radius)
  if (message.t === 'Pair') text += String(message.c[0] + message.c[1])
  return text
}

export const settingsIn: SettingsInput = {}
export const settingsOut: Settings = { verbose: true, limit: null }
export const log: LogLine = { text: 'hello', level: 'info' }
export const colors: Everything['byColor'] = { GREEN: 1, 'light-red': 2 }
export const shapes: Shape[] = ['Empty', { Square: 2 }, { Line: [1, 2] }]
export const messages: Message[] = [{ t: 'Ping' }, { t: 'Text', c: 'hi' }]

export function partial(input: EverythingInput): Everything['maybe'] | undefined {
  return input.maybe
}

// @ts-expect-error: main always sends `verbose` and `limit`
export const missing: Settings = {}
// @ts-expect-error: not a Color
export const badColors: Everything['byColor'] = { red: 1 }
// @ts-expect-error: a tuple of two numbers
export const badMessage: Message = { t: 'Pair', c: [1] }
// @ts-expect-error: the extra keys of a LogLine are strings
export const badLog: LogLine = { text: 'x', count: 1 }
// @ts-expect-error: `fish` has no name
export const badAnimal: Animal = { kind: 'fish', name: 'Nemo', lives: 1, good_boy: true }
