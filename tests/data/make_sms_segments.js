#!/usr/bin/env node
/*
 * Regenerates tests/data/sms_segments.json: reference answers from Twilio's own
 * segment calculator, the npm package sms-segments-calculator 1.3.0, which
 * tests/test_sms.py compares bot/conversation/sms.py against.
 *
 * Run from the repository root (the package is installed outside the repo):
 *
 *   mkdir -p /tmp/smscalc && (cd /tmp/smscalc && npm install sms-segments-calculator@1.3.0)
 *   NODE_PATH=/tmp/smscalc/node_modules node tests/data/make_sms_segments.js \
 *       > tests/data/sms_segments.json
 *
 * Every input string below is measured twice, with Smart Encoding off and on.
 * Each row holds:
 *   text            the input
 *   smart_encoding  whether Smart Encoding was emulated
 *   encoding        "GSM-7" or "UCS-2"            (SegmentedMessage.encodingName)
 *   segments        billed segments                (SegmentedMessage.segmentsCount)
 *   length          the package's character count  (SegmentedMessage.numberOfCharacters)
 *   non_gsm_chars   distinct characters that are not GSM-7, in order of first
 *                   appearance                     (SegmentedMessage.getNonGsmCharacters())
 *   sent_text       the text actually segmented, i.e. after Smart Encoding
 *                   (SegmentedMessage.graphemes joined)
 */
'use strict';

const { SegmentedMessage } = require('sms-segments-calculator');
const pkg = require('sms-segments-calculator/package.json');
const SmartEncodingMap = require('sms-segments-calculator/dist/libs/SmartEncodingMap').default;

if (pkg.version !== '1.3.0') {
  throw new Error(`expected sms-segments-calculator 1.3.0, found ${pkg.version}`);
}

const r = (s, n) => s.repeat(n);
// Repeat a phrase (joined by spaces) and cut it to exactly n UTF-16 code units.
const fill = (phrase, n) => r(`${phrase} `, Math.ceil(n / (phrase.length + 1))).slice(0, n);

const EXTENSION = ['€', '[', ']', '{', '}', '~', '^', '\\', '|', '\f'];

const inputs = [
  // Empty, single characters, GSM-7 limits.
  '',
  'a',
  ' ',
  '1',
  '@',
  '€',
  'é',
  'á',
  '\n',
  '😀',
  r('a', 70),
  r('a', 159),
  r('a', 160),
  r('a', 161),
  r('a', 306),
  r('a', 307),
  r('a', 459),
  r('a', 460),
  r('a', 1600),
  r('a', 1601),
  fill('Reply STOP to stop', 160),
  fill('Reply STOP to stop', 161),
  // Extension characters (2 septets) and the segment boundaries.
  r('€', 80),
  r('€', 81),
  r('€', 800),
  `${r('a', 158)}€`,
  `${r('a', 159)}€`,
  `${r('a', 158)}[]`,
  ...EXTENSION.map((e) => `${r('a', 152)}${e}${r('b', 20)}`),
  ...EXTENSION.map((e) => `${r('a', 151)}${e}${r('b', 20)}`),
  `${r('a', 305)}{${r('b', 10)}`,
  `${r('a', 304)}}${r('b', 10)}`,
  r('{}', 77),
  `${r('a', 153)}${r('|', 76)}~`,
  'Call (555) 010-0199 ~ {Mon-Fri} [9am-5pm] ^ back\\slash | pipe',
  // GSM-7 Greek capitals and other basic-set symbols.
  'ΔΦΓΛΩΠΨΣΘΞ @ £ $ ¥ ¤ § ¿ ¡ Ä Ö Ñ Ü ß',
  'Price: 5$ or 5£ or 5¥ or 5€',
  // UCS-2 limits.
  r('á', 70),
  r('á', 71),
  r('á', 133),
  r('á', 134),
  r('á', 135),
  r('á', 201),
  r('á', 202),
  r('á', 1600),
  `${r('a', 69)}á`,
  `${r('a', 70)}á`,
  `${r('a', 66)}á€${r('a', 10)}`,
  // Surrogate pairs and emoji sequences at segment boundaries.
  r('😀', 35),
  r('😀', 36),
  `a${r('😀', 35)}`,
  `${r('á', 68)}😀`,
  `${r('á', 69)}😀`,
  `${r('á', 66)}😀${r('á', 10)}`,
  `${r('á', 65)}😀${r('á', 10)}`,
  `${r('á', 133)}😀${r('á', 10)}`,
  `${r('a', 60)}👍🏽${r('a', 10)}`,
  `${r('á', 64)}👨‍👩‍👧‍👦${r('á', 10)}`,
  '👍🏽',
  '👨‍👩‍👧‍👦',
  '🇺🇸🇲🇽🇭🇹',
  '❤️',
  'Thank you 🙏',
  r('🙏', 800),
  // Spanish: é ñ ¿ ¡ are GSM-7; á í ó ú are not.
  '¿Español? Responde 1',
  '¿Español? Responda 1',
  'Escriba AYUDA para ayuda. Responda STOP para cancelar.',
  '¿Su familiar fue detenido por ICE? Responda SI o NO.',
  '¿Su familiar fue detenido por inmigración? Responda SÍ o NO.',
  'Mañana le llamará un abogado. ¡Ánimo!',
  'Mañana le llamara un abogado. ¡Animo!',
  'Necesitamos el número A de su familiar (9 dígitos).',
  'Necesitamos el numero A de su familiar (9 digitos).',
  'Tiene derecho a guardar silencio.',
  'No firme ningún documento sin hablar con un abogado.',
  'No firme ningun documento sin hablar con un abogado.',
  '¿Dónde está detenido? Escriba el nombre del centro.',
  'Gracias. Un voluntario le responderá pronto.',
  fill('¿Su familiar fue detenido? Llame a este número.', 160),
  fill('¿Su familiar fue detenido? Llame a este numero.', 161),
  fill('Un voluntario le llamará mañana por la mañana.', 1600),
  fill('Un voluntario le llamara manana por la manana.', 1600),
  'niño, niña, señor, ¿qué?',
  'ÁÉÍÓÚ áéíóú Ññ ¿¡ Üü',
  // Portuguese.
  'Seu familiar foi detido? Responda SIM ou NÃO.',
  'Informação importante: não assine nada.',
  'Ç ç',
  'Obrigado. Você receberá uma ligação.',
  // French.
  'Votre proche a été transféré. Répondez 3 pour le français.',
  'Vous avez le droit de garder le silence. Où est-il détenu ?',
  'Ça va ? Ne signez rien.',
  'être, forêt, île, hôpital, sûr',
  // Haitian Creole.
  'Kreyòl ayisyen? Reponn 2.',
  'Èske fanmi ou te arete pa ICE? Reponn WI oswa NON.',
  'Mèsi. Yon volontè ap rele ou byento.',
  'Ou gen dwa pou w rete an silans.',
  // Vietnamese (precomposed, and decomposed with combining marks).
  'Tiếng Việt? Trả lời 4.',
  'Người thân của bạn có bị ICE bắt giữ không?',
  'Tiếng Việt? Trả lời 4.'.normalize('NFD'),
  fill('Người thân của bạn có bị bắt giữ không?'.normalize('NFD'), 160),
  // Tagalog.
  'Tagalog? Sumagot ng 5.',
  'Inaresto ba ng ICE ang kapamilya mo? Sumagot ng OO o HINDI.',
  'Salamat po. Tatawagan ka ng boluntaryo.',
  // Chinese (simplified and traditional).
  '中文？回复 6。',
  '您的家人被移民局拘留了吗？请回复“是”或“否”。',
  '您的家人被移民局拘留了嗎？請回覆「是」或「否」。',
  r('您', 70),
  r('您', 71),
  fill('您的家人被移民局拘留了吗', 134),
  fill('您的家人被移民局拘留了吗', 135),
  // Korean (syllables, and conjoining jamo).
  '한국어? 7번으로 답장하세요.',
  '가족이 이민국에 체포되었습니까?',
  '한국어'.normalize('NFD'),
  // Arabic (with and without harakat).
  'العربية؟ أرسل 8.',
  'هل تم اعتقال أحد أفراد عائلتك؟',
  'مَرْحَبًا، كَيْفَ يُمْكِنُنَا المُسَاعَدَة؟',
  // Other scripts and marks.
  'हिन्दी? 9 भेजें।',
  'Русский? Ответьте 10.',
  'K’iche’? Q’anjob’al? Mam?',
  "K'iche'? Q'anjob'al? Mam?",
  'e\u0301 vs é',
  'n\u0303 vs ñ',
  `a${r('\u0301', 80)}b`,
  // Smart Encoding: curly quotes, dashes, ellipsis, odd spaces.
  'It’s “urgent” — call now…',
  'It\'s "urgent" - call now...',
  '‘Single’ and “double” quotes',
  'Hours: 9–5, Mon—Fri',
  'Wait… what?',
  'Call\u00a0now',
  'Call\u2009now\u202fplease\u3000thanks',
  'Tab\there',
  '• Bring ID\n• Bring A-number',
  'Zero\u200bwidth\u200cjoiner\u2060and\ufeffBOM',
  '½ hour, ¼ mile, ¾ done, 6÷2',
  'Fullwidth ＡＢＣ １２３ ！？',
  'Backtick `code`',
  '‼ Important ‼',
  '«Bonjour» ‹hi›',
  '已收到。谢谢、再见',
  'Ｉ’ｍ ｈｅｒｅ',
  `${r('a', 159)}\u00a0`,
  `${r('a', 150)}…`,
  `${r('a', 158)}…`,
  `${r('a', 153)}\t${r('b', 5)}`,
  fill('It’s “urgent” — call now…', 160),
  fill('It’s “urgent” — call now…', 1600),
  fill('¿Su familiar fue detenido? Responda “SÍ” o “NO” — gracias…', 300),
  `Every Smart Encoding key: ${Object.keys(SmartEncodingMap).join('.')}`,
  // URLs.
  'Info: https://example.org/es/ayuda?ref=sms&id=123',
  'Docs: https://example.org/~hotline/{id}/[a]_b|c^d',
  'https://example.org/ayuda#sección-2',
  `Read more: https://example.org/${r('x', 140)}`,
  // Newlines (LF and CRLF).
  'Line 1\nLine 2',
  'Line 1\r\nLine 2',
  'Line 1\rLine 2',
  `${r('a', 159)}\n`,
  `${r('a', 159)}\r\n`,
  `${r('a', 158)}\r\n`,
  `${r('á', 69)}\r\n`,
  'Hotline:\n1 English\n2 Español\n3 Français\n4 Kreyòl\n5 Tagalog',
  'Hotline:\n1 English\n2 Español\n3 Français\n4 Kreyòl\n5 Tiếng Việt',
  r('\n', 161),
  // Control characters.
  'Nul\u0000char',
  'Bell\u0007char',
];

const rows = [];
for (const text of inputs) {
  for (const smartEncoding of [false, true]) {
    const message = new SegmentedMessage(text, 'auto', smartEncoding);
    rows.push({
      text,
      smart_encoding: smartEncoding,
      encoding: message.encodingName,
      segments: message.segmentsCount,
      length: message.numberOfCharacters,
      non_gsm_chars: [...new Set(message.getNonGsmCharacters())],
      sent_text: message.graphemes.join(''),
    });
  }
}

// One row per line; invisible characters (controls, odd spaces, zero-width and
// combining marks) are written as \uXXXX escapes so they can be seen in review.
const visible = (json) =>
  json.replace(/(?! )[\p{Cc}\p{Cf}\p{Z}\p{M}]/gu, (ch) =>
    Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
process.stdout.write(`[\n${rows.map((row) => visible(JSON.stringify(row))).join(',\n')}\n]\n`);
