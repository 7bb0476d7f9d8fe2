// 1. Импортируем oneEntry и определяем PROJECT_URL и APP_TOKEN
import { defineOneEntry } from 'oneentry-1.0.115';

const PROJECT_URL = process.env.PROJECT_URL;
const APP_TOKEN = 'your-app-token';

// 2. Создание API-клиента
const { AuthProvider, Forms, Orders, Payments } = defineOneEntry(PROJECT_URL, {
token: APP_TOKEN,
});

// 3. Аутентификация пользователя
const authData = [
{
marker: 'email_reg',
value: 'your-user@email.com',
},
{
marker: 'password_reg',
value: '123456',
},
];
const authResponse = await AuthProvider.auth('email', {
authData,
});

// 4. Мы получаем данные формы из OneEntry CMS, чтобы сгенерировать форму на фронтенде
const formData = await Forms.getFormByMarker('tickets_form');

// 5. Создание заказа в хранилище заказов
const body = {
formIdentifier: 'tickets_form',
paymentAccountIdentifier: 'cash',
formData: [
// {
// type: 'timeInterval',
// marker: 'schedule',
// value: {},
// },
{
type: 'entity',
marker: 'tickets',
value: ['p-8-10'],
},
],
products: [
{
productId: 10, // бронзовый билет
quantity: 1,
},
],
};
const order = await Orders.createOrder('tickets', body);

// 6. Создание платежной сессии
const paymentSession = await Payments.createSession(
order.id,
'session',
false,
);

// 7. Обновление сессии по id
let updateSession = await Payments.updateSessionById(paymentSession.id, {
status: 'expired_ticket',
paymentUrl: '',
});

// 8. Получение одного объекта платежной сессии по идентификатору заказа
let sessionByOrderId = await Payments.getSessionByOrderId(order.id);
console.log(sessionByOrderId);

// Appended for sdktest: every result of the example as one JSON line (the last line of stdout).
console.log(
  JSON.stringify({
    authResponse,
    formData,
    order,
    paymentSession,
    updateSession,
    sessionByOrderId,
  }),
);
