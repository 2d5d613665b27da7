-- "Actualités" of the connected home, per language.
CREATE TABLE news (
    id TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX news_by_language ON news (language, published_at);
INSERT INTO news (id, language, published_at, title, body) VALUES
('n1-fr', 'fr', 1790000000, 'Mise en place d''un support téléphonique',
 'Une hotline est disponible du lundi au vendredi de 8h30 à 18h30 (hors jours fériés) pour répondre à vos questions en cas d''incident sur le portail.'),
('n1-en', 'en', 1790000000, 'A telephone helpline is open',
 'A helpline answers your questions about incidents on the portal, Monday to Friday, 8:30 to 18:30 (public holidays excepted).'),
('n2-fr', 'fr', 1795000000, 'Factures électroniques : le dépôt de PDF simplifié',
 'Vous pouvez désormais déposer vos factures au format PDF ou XML directement depuis votre espace.'),
('n2-en', 'en', 1795000000, 'Electronic invoices: easier PDF upload',
 'You can now upload your invoices as PDF or XML files straight from your space.');
