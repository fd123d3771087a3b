// Function words left out of word features (they still count toward units). English plus the most frequent
// Russian and Ukrainian ones; a short list on purpose — it only removes noise that would make unrelated texts
// look alike.
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her here ' +
    'hers him his how i if in into is it its itself just me more most my no nor not of off on once only or other ' +
    'our ours out over own same she should so some such than that the their theirs them then there these they ' +
    'this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours also may might must shall about above after again against all any because before ' +
    'below between both during each few further s t don now ' +
    // Russian
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от ' +
    'меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь опять уж вам ведь ' +
    'там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз ' +
    'тоже себе под будет это этот эта эти того этого при ' +
    // Ukrainian
    'і й та що це як але або ще вже бо ж чи для від до на по при про через під над між без із зі з у в він вона ' +
    'воно вони ми ви ти я його її їх їм нам вам мені тобі собі цей ця ці цього цієї тут там де коли якщо то так ні'
  ).split(/\s+/),
);
